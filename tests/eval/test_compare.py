"""Paired comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxasr.errors import InvalidInputError
from ctxasr.eval.compare import compare_runs, format_comparison, sign_test


def _run(folder: Path, manifest: Path, hypotheses: dict[str, str]) -> Path:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"manifest": str(manifest)}))
    rows = [{"id": i, "hypothesis": h} for i, h in hypotheses.items()]
    (folder / "hypotheses.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def test_sign_test() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(5, 5) == 1.0


def test_compare_two_runs(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"x")
    rows = [
        {
            "id": f"d{i}",
            "audio": "a.wav",
            "reference": f"Call Meg Bauer {i}.",
            "entities": ["Meg Bauer"],
            "tags": ["contacts", "follow-up"],
        }
        for i in range(10)
    ]
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    run_a = _run(tmp_path / "A", manifest, {f"d{i}": f"Call may power {i}." for i in range(10)})
    run_b = _run(tmp_path / "B", manifest, {f"d{i}": f"Call Meg Bauer {i}." for i in range(10)})
    result = compare_runs(run_a, run_b)
    eer = result["groups"]["all"]["eer"]
    assert (eer["a"], eer["b"], eer["delta"]) == (1.0, 0.0, -1.0)
    assert eer["b_better_items"] == 10 and eer["a_better_items"] == 0
    assert eer["sign_test_p"] < 0.01
    wer = result["groups"]["slice:contacts"]["wer"]
    assert wer["a"] == pytest.approx(0.5) and wer["high"] <= 0
    assert "slice:contacts" in format_comparison(result)


def test_runs_of_different_manifests_are_refused(tmp_path: Path) -> None:
    run_a = _run(tmp_path / "A", tmp_path / "m1.jsonl", {})
    run_b = _run(tmp_path / "B", tmp_path / "m2.jsonl", {})
    with pytest.raises(InvalidInputError, match="different manifests"):
        compare_runs(run_a, run_b)
