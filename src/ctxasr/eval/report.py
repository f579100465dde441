"""``report.md`` and its charts: metrics by slice for each system, and the latency spread."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ctxasr.eval.summary import RECORDING_GROUP

SYSTEM_LABELS = {
    "context": "with context",
    "no_context": "without context",
    "baseline_hotwords": "hotwords baseline",
}
METRICS = ("wer", "eer", "fbr")


def write_report(out: Path, summary: Mapping[str, Any], rows: Mapping[str, Any]) -> None:
    charts = [_metric_chart(out, summary), _latency_chart(out, rows)]
    lines = [
        "# ctxasr evaluation",
        "",
        f"Manifest: `{summary['manifest']}`  ",
        f"Model: `{summary['model']}`, signals: `{summary['signals']}`, items: {summary['items']}",
        "",
        *_metric_tables(summary),
        *_latency_table(summary),
        *[f"![{name}]({name})" for name in charts if name],
    ]
    if summary.get("problems"):
        lines += ["", "## Problems", "", *[f"- {p}" for p in summary["problems"]]]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(estimate: Mapping[str, Any] | None) -> str:
    if not estimate or estimate.get("value") is None:
        return "-"
    return (
        f"{100 * estimate['value']:.1f} [{100 * estimate['low']:.1f}, {100 * estimate['high']:.1f}]"
    )


def _metric_tables(summary: Mapping[str, Any]) -> list[str]:
    systems = [s for s in SYSTEM_LABELS if s in summary["systems"]]
    lines = ["## Metrics (%, 95 % bootstrap interval)", ""]
    for metric in METRICS:
        header = ["group", "items", *[SYSTEM_LABELS[s] for s in systems], "relative change"]
        lines += [
            f"### {metric.upper()}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        for group, values in summary["systems"]["context"].items():
            cells = [group, str(values["items"])]
            cells += [_fmt(summary["systems"][s].get(group, {}).get(metric)) for s in systems]
            change = summary.get("relative_change", {}).get(group, {}).get(metric)
            cells.append("-" if change is None else f"{100 * change:+.1f} %")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _latency_table(summary: Mapping[str, Any]) -> list[str]:
    lines = ["## Latency (ms)", "", "| system | p50 | p90 | p99 | mean |", "|---|---|---|---|---|"]
    for system, values in summary.get("latency_ms", {}).items():
        label = SYSTEM_LABELS.get(system, system)
        lines.append(
            f"| {label} | {values['p50']} | {values['p90']} | {values['p99']} | {values['mean']} |"
        )
    return [*lines, ""]


def _metric_chart(out: Path, summary: Mapping[str, Any]) -> str | None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    systems = [s for s in SYSTEM_LABELS if s in summary["systems"]]
    # Recording tags stay in the tables: a chart of every voice and noise would be unreadable.
    groups = [
        g for g in summary["systems"]["context"] if g != "all" and not g.startswith(RECORDING_GROUP)
    ]
    if not groups:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(max(8, 1.3 * len(groups) * 2), 4.5))
    for axis, metric in zip(axes, ("eer", "wer"), strict=True):
        width = 0.8 / len(systems)
        for n, system in enumerate(systems):
            values = [
                100 * (summary["systems"][system].get(g, {}).get(metric, {}).get("value") or 0)
                for g in groups
            ]
            positions = [i + n * width for i in range(len(groups))]
            axis.bar(positions, values, width, label=SYSTEM_LABELS[system])
        axis.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))])
        axis.set_xticklabels([g.removeprefix("slice:") for g in groups], rotation=30, ha="right")
        axis.set_title(f"{metric.upper()} (%) by group")
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "chart_metrics.png", dpi=110)
    plt.close(figure)
    return "chart_metrics.png"


def _latency_chart(out: Path, rows: Mapping[str, Any]) -> str | None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    series = {
        "with context": [r["latency_ms"] for r in rows.values() if r.get("latency_ms")],
        "hotwords baseline": [
            r["baseline_latency_ms"] for r in rows.values() if r.get("baseline_latency_ms")
        ],
    }
    series = {k: v for k, v in series.items() if v}
    if not series:
        return None
    figure, axis = plt.subplots(figsize=(7, 4))
    axis.hist(list(series.values()), bins=30, label=list(series), alpha=0.8)
    axis.set_xlabel("latency per utterance (ms)")
    axis.set_ylabel("utterances")
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "chart_latency.png", dpi=110)
    plt.close(figure)
    return "chart_latency.png"
