"""Context objects: the manifest's shape, limits, ablation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ctxasr.context import ContextLimits, DialogueContext
from ctxasr.context.model import InvalidContextError
from ctxasr.errors import LimitExceededError

GOOD = {
    "turns": [
        {"role": "user", "text": "Call Meg."},
        {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
    ],
    "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"], "phonetic": ["Alfa"]},
    "unknown_field": 1,
}


def test_parses_turns_and_any_catalog_name() -> None:
    context = DialogueContext.from_json(GOOD)
    assert [t.role for t in context.turns] == ["user", "assistant"]
    assert [(c.name, c.entries) for c in context.catalogs] == [
        ("contacts", ("Meg Jones", "Meg Bauer")),
        ("phonetic", ("Alfa",)),
    ]
    assert context.signal_names == ("turns", "contacts", "phonetic")
    assert context.last_turn("assistant").text.startswith("Do you mean")  # type: ignore[union-attr]


def test_only_keeps_named_signals() -> None:
    context = DialogueContext.from_json(GOOD).only(["contacts"])
    assert context.turns == ()
    assert [c.name for c in context.catalogs] == ["contacts"]
    assert DialogueContext.from_json(GOOD).only([]).is_empty


def test_from_file_accepts_bare_context_or_manifest_line(tmp_path: Path) -> None:
    bare, line = tmp_path / "bare.json", tmp_path / "line.json"
    bare.write_text(json.dumps(GOOD))
    line.write_text(json.dumps({"id": "d1", "context": GOOD}))
    assert DialogueContext.from_file(bare) == DialogueContext.from_file(line)
    with pytest.raises(InvalidContextError, match="not valid JSON"):
        (tmp_path / "bad.json").write_text("{")
        DialogueContext.from_file(tmp_path / "bad.json")


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "JSON object"),
        ({"turns": {}}, "must be a list"),
        ({"turns": [{"role": "robot", "text": "x"}]}, "role"),
        ({"turns": [{"role": "user", "text": 3}]}, "text must be a string"),
        ({"catalogs": []}, "named lists"),
        ({"catalogs": {"bad name!": ["x"]}}, "not valid"),
        ({"catalogs": {"contacts": []}}, "non-empty"),
        ({"catalogs": {"contacts": ["ok", " "]}}, "entry 1"),
    ],
)
def test_invalid_contexts(obj: Any, message: str) -> None:
    with pytest.raises(InvalidContextError, match=message):
        DialogueContext.from_json(obj)


def test_catalog_over_the_limit() -> None:
    big = {"catalogs": {"contacts": [f"Name {i}" for i in range(5_001)]}}
    with pytest.raises(LimitExceededError, match="5001 entries"):
        DialogueContext.from_json(big)
    small_limits = ContextLimits(max_catalog_entries=10)
    with pytest.raises(LimitExceededError):
        DialogueContext.from_json({"catalogs": {"c": ["x"] * 11}}, small_limits)
    assert len(DialogueContext.from_json({"catalogs": {"c": [f"n{i}" for i in range(5_000)]}})
               .catalogs[0].entries) == 5_000  # fmt: skip
