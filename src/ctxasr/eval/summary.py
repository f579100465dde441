"""From manifest items and hypotheses to ``summary.json``: every metric, every group."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from ctxasr.eval.manifest import ManifestItem
from ctxasr.eval.metrics import GroupMetrics, ItemScore, group_metrics, relative_change, score_item

RECORDING_GROUP = "tag:"  # prefix of the groups by recording tag ("tag:voice=piper:joe")

# The hypothesis field of each system in hypotheses.jsonl.
SYSTEM_FIELDS = {
    "context": "hypothesis",
    "no_context": "no_context_hypothesis",
    "baseline_hotwords": "baseline_hypothesis",
}


def groups_of(items: Sequence[ManifestItem]) -> dict[str, list[ManifestItem]]:
    """all, follow-up, distractor, one group per slice (the first tag), then one per tag that
    describes the recording (``key=value``: ``voice=piper:joe``, ``noise=clean``), so a set
    that mixes voices or real and synthetic speech shows where the context helps."""
    groups: dict[str, list[ManifestItem]] = {"all": list(items)}
    groups["follow-up"] = [i for i in items if i.followup]
    groups["distractor"] = [i for i in items if i.distractor]
    for item in items:
        groups.setdefault(f"slice:{item.slice}", []).append(item)
    recordings: dict[str, list[ManifestItem]] = {}
    for item in items:
        for tag in item.tags[1:]:
            if "=" in tag:
                recordings.setdefault(f"{RECORDING_GROUP}{tag}", []).append(item)
    # Sorted, so that each kind of tag (noise=, rate=, voice=) reads as one block.
    return groups | dict(sorted(recordings.items()))


def score_system(
    items: Sequence[ManifestItem], rows: Mapping[str, Mapping[str, Any]], field: str
) -> dict[str, ItemScore]:
    """Per-item scores of one system (items without a hypothesis row are left out)."""
    scores = {}
    for item in items:
        row = rows.get(item.id)
        if row is None or row.get(field) is None:
            continue
        scores[item.id] = score_item(
            item.reference, row[field], item.entities, item.catalog_entries, item.distractor
        )
    return scores


def summarize(
    items: Sequence[ManifestItem], rows: Mapping[str, Mapping[str, Any]], meta: Mapping[str, Any]
) -> dict[str, Any]:
    groups = groups_of([i for i in items if i.id in rows])
    systems: dict[str, dict[str, Any]] = {}
    metrics: dict[str, dict[str, GroupMetrics]] = {}
    for system, field in SYSTEM_FIELDS.items():
        scores = score_system(items, rows, field)
        if not scores:
            continue
        metrics[system] = {
            name: group_metrics([scores[i.id] for i in members if i.id in scores])
            for name, members in groups.items()
        }
        systems[system] = {name: _as_json(m) for name, m in metrics[system].items()}
    return {
        **meta,
        "items": len(groups["all"]),
        "systems": systems,
        "relative_change": _relative(metrics),
        "latency_ms": _latencies(rows),
    }


def _as_json(metrics: GroupMetrics) -> dict[str, Any]:
    return {
        "items": metrics.items,
        "wer": asdict(metrics.wer),
        "eer": asdict(metrics.eer),
        "fbr": asdict(metrics.fbr),
    }


def _relative(metrics: Mapping[str, Mapping[str, GroupMetrics]]) -> dict[str, Any]:
    """``(without - with) / without`` of each metric, context against no context."""
    if "context" not in metrics or "no_context" not in metrics:
        return {}
    with_, without = metrics["context"], metrics["no_context"]
    pick: dict[str, Callable[[GroupMetrics], float | None]] = {
        "wer": lambda m: m.wer.value,
        "eer": lambda m: m.eer.value,
        "fbr": lambda m: m.fbr.value,
    }
    return {
        group: {
            name: relative_change(get(without[group]), get(with_[group]))
            for name, get in pick.items()
        }
        for group in with_
    }


def _latencies(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    out = {}
    for system, key in (("context", "latency_ms"), ("baseline_hotwords", "baseline_latency_ms")):
        values = [float(r[key]) for r in rows.values() if r.get(key) is not None]
        if values:
            out[system] = percentiles(values)
    return out


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": at(0.5),
        "p90": at(0.9),
        "p99": at(0.99),
        "mean": round(statistics.fmean(ordered), 1),
    }
