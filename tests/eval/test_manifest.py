"""Manifest reading: exactly the spec, problems by line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxasr.eval.manifest import ManifestError, read_manifest


def _write(folder: Path, lines: list[str]) -> Path:
    (folder / "audio").mkdir(exist_ok=True)
    (folder / "audio" / "a.wav").write_bytes(b"RIFF")
    path = folder / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


GOOD = {
    "id": "d1",
    "audio": "audio/a.wav",
    "reference": "Bauer.",
    "entities": ["Bauer"],
    "context": {"turns": [], "catalogs": {"phonetic": ["Alfa"], "x-list": ["Bauer"]}},
    "tags": ["contacts", "follow-up", "voice=piper:joe"],
    "extra": {"ignored": True},
}


def test_good_line_with_unknown_fields(tmp_path: Path) -> None:
    items, problems = read_manifest(_write(tmp_path, [json.dumps(GOOD)]))
    assert problems == []
    (item,) = items
    assert (item.id, item.slice, item.followup, item.distractor) == ("d1", "contacts", True, False)
    assert item.catalog_entries == ("Alfa", "Bauer")


def test_problems_are_reported_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{broken",
        json.dumps({**GOOD, "id": "d2", "audio": "audio/missing.wav"}),
        json.dumps(GOOD),  # duplicate id
        json.dumps({**GOOD, "id": "d3", "context": {"catalogs": {"c": []}}}),
        "",
        json.dumps({**GOOD, "id": "d4", "entities": "Bauer"}),
        json.dumps({**GOOD, "id": "d5"}),
    ]
    items, problems = read_manifest(_write(tmp_path, lines))
    assert [i.id for i in items] == ["d1", "d5"]
    assert [p.line for p in problems] == [2, 3, 4, 5, 7]
    assert "missing" in problems[1].message
    assert "twice" in problems[2].message
    with pytest.raises(ManifestError, match="line 2"):
        read_manifest(_write(tmp_path, lines), strict=True)


def test_unreadable_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "nope.jsonl")
