"""``ctxasr eval``: run the recognizer over a manifest, with and without context, and score it.

The model is loaded once. Each item's line is appended to ``hypotheses.jsonl`` as soon as it is
recognised, so an interrupted run resumes where it stopped (``--resume``). The no-context
hypothesis is the recognizer's own unbiased pass in the same call, which is exactly what
``recognize(audio)`` without a context returns.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ctxasr.asr import Recognizer, RecognizerOptions, load_audio
from ctxasr.context import ContextPlan, DialogueContext
from ctxasr.context.semantic import SemanticRanker, semantic_plan
from ctxasr.errors import ConfigError, CtxAsrError
from ctxasr.eval.manifest import ManifestItem, ManifestProblem, read_manifest
from ctxasr.eval.summary import summarize
from ctxasr.service.embeddings import SentenceEncoder

logger = logging.getLogger(__name__)

BASELINES = ("hotwords",)


@dataclass(frozen=True)
class EvalOptions:
    manifest: Path
    out: Path
    model: str = "tiny.en"
    signals: tuple[str, ...] | None = None  # keep only these context signals (an ablation)
    baseline: str | None = None  # "hotwords": plain faster-whisper fed every catalog phrase
    semantic_selection: bool = False  # rank overflowing catalogs by meaning too (an ablation)
    token_bias: bool = False  # add the catalog trie to the biased pass (an experiment)
    resume: bool = False  # skip ids already in hypotheses.jsonl
    strict: bool = False  # stop at the first bad manifest line or audio file
    limit: int | None = None  # only the first N items
    progress: bool = True

    def __post_init__(self) -> None:
        if self.baseline is not None and self.baseline not in BASELINES:
            raise ConfigError(f"unknown baseline {self.baseline!r}: use one of {BASELINES}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("limit must be positive")


def run_eval(options: EvalOptions, recognizer: Recognizer | None = None) -> dict[str, Any]:
    items, problems = read_manifest(options.manifest, options.strict)
    if options.limit is not None:
        items = items[: options.limit]
    options.out.mkdir(parents=True, exist_ok=True)
    hyp_path = options.out / "hypotheses.jsonl"
    rows = load_rows(hyp_path) if options.resume else {}
    if not options.resume:
        hyp_path.write_text("")
    todo = [item for item in items if item.id not in rows]
    if todo:
        recognizer = recognizer or Recognizer(
            RecognizerOptions.for_model(options.model, options.token_bias)
        )
        planning = _Planning(recognizer, options.semantic_selection)
        with hyp_path.open("a", encoding="utf-8") as out, _progress(options, len(todo)) as step:
            for item in todo:
                row = _run_item(recognizer, planning, item, options, problems)
                if row is not None:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    out.flush()
                    rows[item.id] = row
                step()
    meta = {
        "manifest": str(options.manifest.resolve()),
        "model": options.model,
        "signals": list(options.signals) if options.signals else "all",
        "baseline": options.baseline,
        "semantic_selection": options.semantic_selection,
        "token_bias": options.token_bias,
        "problems": [str(p) for p in problems],
    }
    summary = summarize(items, rows, meta)
    (options.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    from ctxasr.eval.report import write_report  # noqa: PLC0415  (matplotlib is slow to load)

    write_report(options.out, summary, rows)
    return summary


class _Planning:
    """How an item's context reaches the recognizer: as it is (the recognizer plans it
    lexically) or planned with meaning-based selection, the way the service can."""

    def __init__(self, recognizer: Recognizer, semantic: bool) -> None:
        self.recognizer = recognizer
        self.ranker = SemanticRanker(SentenceEncoder()) if semantic else None
        self.cache = self.ranker.new_cache() if self.ranker else None

    def __call__(self, context: DialogueContext) -> DialogueContext | ContextPlan:
        if self.ranker is None or self.cache is None:
            return context
        return semantic_plan(self.recognizer.plan, context, self.ranker, self.cache)


def _run_item(
    recognizer: Recognizer,
    planning: _Planning,
    item: ManifestItem,
    options: EvalOptions,
    problems: list[ManifestProblem],
) -> dict[str, Any] | None:
    try:
        audio = load_audio(item.audio)
    except CtxAsrError as exc:
        if options.strict:
            raise
        problems.append(ManifestProblem(item.line, str(exc)))
        return None
    context = item.context.only(options.signals) if options.signals else item.context
    start = time.perf_counter()
    recognition = recognizer.recognize(audio, planning(context))
    latency_ms = (time.perf_counter() - start) * 1000
    row: dict[str, Any] = {
        "id": item.id,
        "hypothesis": recognition.text,
        "context_used": recognition.context_used,
        "latency_ms": round(latency_ms, 1),
        "entities": [asdict(e) for e in recognition.entities],
        "no_context_hypothesis": recognition.unbiased_text
        if recognition.unbiased_text is not None
        else recognition.text,
        "reason": recognition.reason,
        "biased_hypothesis": recognition.biased_text,
    }
    if options.baseline == "hotwords":
        phrases = ", ".join(e for c in context.catalogs for e in c.entries)
        start = time.perf_counter()
        row["baseline_hypothesis"] = recognizer.engine.transcribe_plain(audio, hotwords=phrases)
        row["baseline_latency_ms"] = round((time.perf_counter() - start) * 1000, 1)
    return row


def load_rows(path: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            rows[str(row["id"])] = row
        except (json.JSONDecodeError, KeyError, TypeError):
            logger.warning("skipping a broken line of %s", path)  # a run killed mid-write
    return rows


@contextmanager
def _progress(options: EvalOptions, total: int) -> Iterator[Any]:
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("eval"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, disable=not options.progress, transient=False) as progress:
        task = progress.add_task("eval", total=total)
        yield lambda: progress.advance(task)
