"""``ctxasr dataset synth`` then ``ctxasr eval`` on a small generated set, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxasr.asr import Recognizer
from ctxasr.cli import main
from ctxasr.dataset.overflow import OverflowOptions, write_overflow
from ctxasr.errors import InvalidInputError
from ctxasr.eval.runner import EvalOptions, run_eval


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("set")
    code = main(
        [
            "dataset",
            "synth",
            "--out",
            str(out),
            "--size",
            "16",
            "--seed",
            "4",
            "--voices",
            "piper:joe",
            "--noise",
            "clean",
            "--telephone-share",
            "0",
        ]
    )
    assert code == 0
    return out / "manifest.jsonl"


def test_synth_writes_the_manifest_format(small_set: Path) -> None:
    rows = [json.loads(line) for line in small_set.read_text().splitlines()]
    assert len(rows) == 16
    for row in rows:
        assert (small_set.parent / row["audio"]).stat().st_size > 1000
        assert all(entity in row["reference"] for entity in row["entities"])
        assert row["tags"][1] in {"follow-up", "distractor"}
        assert "voice=piper:joe" in row["tags"]
    assert any(row["tags"][1] == "distractor" for row in rows)


def test_eval_writes_its_files_and_context_lowers_eer(
    small_set: Path, tmp_path: Path, recognizer: Recognizer
) -> None:
    out = tmp_path / "run"
    summary = run_eval(EvalOptions(small_set, out, progress=False), recognizer)
    rows = [json.loads(line) for line in (out / "hypotheses.jsonl").read_text().splitlines()]
    assert len(rows) == 16
    assert set(rows[0]) >= {
        "id",
        "hypothesis",
        "context_used",
        "latency_ms",
        "entities",
        "no_context_hypothesis",
    }
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["items"] == summary["items"] == 16
    with_context = summary["systems"]["context"]["follow-up"]["eer"]["value"]
    without = summary["systems"]["no_context"]["follow-up"]["eer"]["value"]
    assert with_context < without
    report = (out / "report.md").read_text()
    assert "### EER" in report and "chart_metrics.png" in report
    assert (out / "chart_metrics.png").stat().st_size > 1000
    assert (out / "chart_latency.png").stat().st_size > 1000


def test_resume_skips_done_items_and_signals_ablate(
    small_set: Path, tmp_path: Path, recognizer: Recognizer
) -> None:
    out = tmp_path / "run"
    run_eval(EvalOptions(small_set, out, limit=3, progress=False), recognizer)
    first = (out / "hypotheses.jsonl").read_text()
    summary = run_eval(
        EvalOptions(small_set, out, limit=5, resume=True, progress=False), recognizer
    )
    lines = (out / "hypotheses.jsonl").read_text().splitlines()
    assert (out / "hypotheses.jsonl").read_text().startswith(first)
    assert len(lines) == 5 and summary["items"] == 5
    ablated = run_eval(
        EvalOptions(small_set, tmp_path / "turns", signals=("turns",), limit=5, progress=False),
        recognizer,
    )
    assert ablated["signals"] == ["turns"]


def test_overflow_variant_then_selection_by_meaning(
    small_set: Path, tmp_path: Path, recognizer: Recognizer
) -> None:
    grown = tmp_path / "elsewhere" / "overflow.jsonl"
    code = main(["dataset", "overflow", str(small_set), "--out", str(grown), "--devices", "80"])
    assert code == 0
    before = [json.loads(line) for line in small_set.read_text().splitlines()]
    after = [json.loads(line) for line in grown.read_text().splitlines()]
    assert [r["id"] for r in after] == [r["id"] for r in before]
    for old, new in zip(before, after, strict=True):
        assert (grown.parent / new["audio"]).resolve() == (
            small_set.parent / old["audio"]
        ).resolve()
        assert new["context"]["turns"] == old["context"]["turns"]
        catalogs = new["context"]["catalogs"]
        assert len(catalogs["contacts"]) == 1_500 and len(catalogs["devices"]) == 80
        for name, entries in old["context"]["catalogs"].items():
            assert set(entries) <= set(catalogs[name])  # the item's own entries stay
    summary = run_eval(
        EvalOptions(grown, tmp_path / "sem", semantic_selection=True, limit=3, progress=False),
        recognizer,
    )
    assert summary["semantic_selection"] is True and summary["items"] == 3


def test_overflow_refuses_a_broken_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "manifest.jsonl"
    bad.write_text('{"id": "a"\n')
    assert main(["dataset", "overflow", str(bad), "--out", str(tmp_path / "out.jsonl")]) == 1
    assert "manifest.jsonl:1: not JSON" in capsys.readouterr().err
    with pytest.raises(InvalidInputError):
        write_overflow(OverflowOptions(bad, tmp_path / "again.jsonl"))
