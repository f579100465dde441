"""``ctxasr bench recognize``: contextual recognition against plain faster-whisper, side by side.

Both run in one process on the same preloaded audio and the same model, alternating per
repetition so that machine noise hits both alike. Plain is stock ``WhisperModel.transcribe``
(beam 5); contextual is ``Recognizer.recognize`` with a context (encoder shared by its two
decoding passes).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ctxasr.asr import Recognizer, RecognizerOptions, load_audio
from ctxasr.asr.audio import Audio
from ctxasr.context import DialogueContext
from ctxasr.errors import ConfigError
from ctxasr.eval.manifest import read_manifest


@dataclass(frozen=True)
class RecognizeBenchOptions:
    model: str = "tiny.en"
    repeats: int = 3  # timed runs per utterance and per system (after one warm-up)
    manifest: Path | None = None  # a dialogue manifest; None: the built-in utterances
    limit: int = 20  # at most this many manifest items
    token_bias: bool = False  # time the recognizer with its catalog trie (experimental)

    def __post_init__(self) -> None:
        if self.repeats < 1 or self.limit < 1:
            raise ConfigError("repeats and limit must be positive")


@dataclass(frozen=True)
class BenchItem:
    name: str
    audio: Audio
    context: DialogueContext


def run_recognize_bench(options: RecognizeBenchOptions) -> dict[str, Any]:
    recognizer = Recognizer(RecognizerOptions.for_model(options.model, options.token_bias))
    with tempfile.TemporaryDirectory(prefix="ctxasr-bench-") as folder:
        items = _items(options, Path(folder))
    plain_ms: list[float] = []
    contextual_ms: list[float] = []
    ratios: list[float] = []
    for item in items:
        recognizer.engine.transcribe_plain(item.audio)  # warm-up of both paths
        recognizer.recognize(item.audio, item.context)
        for _ in range(options.repeats):
            plain = _timed(lambda i=item: recognizer.engine.transcribe_plain(i.audio))
            contextual = _timed(lambda i=item: recognizer.recognize(i.audio, i.context))
            plain_ms.append(plain)
            contextual_ms.append(contextual)
            ratios.append(contextual / plain)
    return {
        "model": options.model,
        "utterances": len(items),
        "runs_per_system": len(plain_ms),
        "contextual_ms_p50": round(statistics.median(contextual_ms), 1),
        "plain_ms_p50": round(statistics.median(plain_ms), 1),
        "ratio": round(statistics.median(contextual_ms) / statistics.median(plain_ms), 3),
        "paired_ratio_p50": round(statistics.median(ratios), 3),
        "contextual_ms_p90": round(_p90(contextual_ms), 1),
        "plain_ms_p90": round(_p90(plain_ms), 1),
    }


def _items(options: RecognizeBenchOptions, folder: Path) -> list[BenchItem]:
    if options.manifest is not None:
        return _manifest_items(options.manifest, options.limit)
    from ctxasr.dataset.voices import PiperVoice  # noqa: PLC0415

    spec = json.loads(resources.files("ctxasr.data").joinpath("bench_utterances.json").read_text())
    context = DialogueContext.from_json(spec["context"])
    voice = PiperVoice()
    items = []
    for n, text in enumerate(spec["utterances"]):
        wav = folder / f"u{n}.wav"
        voice.speak(text, wav)
        items.append(BenchItem(text, load_audio(wav), context))
    return items


def _manifest_items(manifest: Path, limit: int) -> list[BenchItem]:
    items, _ = read_manifest(manifest)  # bad lines are skipped, as ``ctxasr eval`` does
    return [BenchItem(i.id, load_audio(i.audio), i.context) for i in items[:limit]]


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def format_table(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"model={report['model']} utterances={report['utterances']}"
            f" runs/system={report['runs_per_system']}",
            f"{'':22}{'p50 ms':>10}{'p90 ms':>10}",
            f"{'plain faster-whisper':22}{report['plain_ms_p50']:>10}{report['plain_ms_p90']:>10}",
            f"{'contextual':22}{report['contextual_ms_p50']:>10}{report['contextual_ms_p90']:>10}",
            f"ratio (contextual / plain, p50): {report['ratio']}"
            f"  (paired per-run median: {report['paired_ratio_p50']})",
        ]
    )
