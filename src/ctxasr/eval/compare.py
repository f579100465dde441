"""``ctxasr eval compare A B``: does run B (say, with a new signal) beat run A, and where?

Both runs must score the same manifest. For each group and metric: A, B, the delta B - A with a
paired bootstrap interval (items resampled together), and a two-sided sign test over the items
whose errors differ.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ctxasr.eval.manifest import ManifestError, read_manifest
from ctxasr.eval.metrics import BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED, ItemScore
from ctxasr.eval.runner import load_rows
from ctxasr.eval.summary import groups_of, score_system


def _wer(s: ItemScore) -> tuple[int, int]:
    return s.word_errors, s.reference_words


def _eer(s: ItemScore) -> tuple[int, int]:
    return s.entity_errors, s.entities


def _fbr(s: ItemScore) -> tuple[int, int]:
    return int(s.false_bias), int(s.distractor)


# metric -> (numerator, denominator) of an item's score
_PARTS: dict[str, Callable[[ItemScore], tuple[int, int]]] = {"wer": _wer, "eer": _eer, "fbr": _fbr}


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    manifest = _manifest_of(run_a)
    if _manifest_of(run_b) != manifest:
        raise ManifestError("the two runs scored different manifests")
    items, _ = read_manifest(Path(manifest))
    rows_a, rows_b = load_rows(run_a / "hypotheses.jsonl"), load_rows(run_b / "hypotheses.jsonl")
    common = [i for i in items if i.id in rows_a and i.id in rows_b]
    scores_a = score_system(common, rows_a, "hypothesis")
    scores_b = score_system(common, rows_b, "hypothesis")
    groups = {}
    for name, members in groups_of(common).items():
        pairs = [(scores_a[i.id], scores_b[i.id]) for i in members]
        groups[name] = {metric: _paired(pairs, metric) for metric in _PARTS}
    return {"a": str(run_a), "b": str(run_b), "items": len(common), "groups": groups}


def _manifest_of(run: Path) -> str:
    try:
        return str(json.loads((run / "summary.json").read_text())["manifest"])
    except (OSError, ValueError, KeyError) as exc:
        raise ManifestError(f"{run} is not an eval run folder (summary.json): {exc}") from exc


def _paired(pairs: list[tuple[ItemScore, ItemScore]], metric: str) -> dict[str, Any]:
    part = _PARTS[metric]
    counts = np.array([(*part(a), *part(b)) for a, b in pairs], dtype=np.float64).reshape(-1, 4)
    denominator = counts[:, 1].sum()
    if denominator == 0:
        return {"a": None, "b": None, "delta": None}
    value_a, value_b = counts[:, 0].sum() / denominator, counts[:, 2].sum() / denominator
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, len(pairs), size=(BOOTSTRAP_SAMPLES, len(pairs)))
    sums = counts[picks].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        deltas = (sums[:, 2] - sums[:, 0]) / sums[:, 1]
    low, high = np.nanpercentile(deltas, [2.5, 97.5])
    b_better = int(np.sum(counts[:, 2] < counts[:, 0]))
    a_better = int(np.sum(counts[:, 2] > counts[:, 0]))
    return {
        "a": round(float(value_a), 4),
        "b": round(float(value_b), 4),
        "delta": round(float(value_b - value_a), 4),
        "low": round(float(low), 4),
        "high": round(float(high), 4),
        "b_better_items": b_better,
        "a_better_items": a_better,
        "sign_test_p": round(sign_test(b_better, a_better), 4),
    }


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial sign test (ties dropped)."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return float(min(1.0, 2 * tail))


def format_comparison(result: dict[str, Any]) -> str:
    lines = [
        f"A = {result['a']}",
        f"B = {result['b']}",
        f"{result['items']} paired items; delta = B - A (negative: B makes fewer errors)",
        "",
        f"{'group':24}{'metric':>7}{'A %':>8}{'B %':>8}{'delta':>8}{'95 % CI':>18}"
        f"{'B+':>5}{'A+':>5}{'p':>8}",
    ]
    for group, metrics in result["groups"].items():
        for metric, v in metrics.items():
            if v["delta"] is None:
                continue
            interval = f"[{100 * v['low']:+.1f}, {100 * v['high']:+.1f}]"
            lines.append(
                f"{group:24}{metric:>7}{100 * v['a']:>8.1f}{100 * v['b']:>8.1f}"
                f"{100 * v['delta']:>+8.1f}{interval:>18}{v['b_better_items']:>5}"
                f"{v['a_better_items']:>5}{v['sign_test_p']:>8.3f}"
            )
    return "\n".join(lines)
