"""Selection by meaning: scores, the per-catalog reordering, the entry-vector cache."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from ctxasr.context import ContextPlan, DialogueContext, PlanOptions, Pronouncer, build_plan
from ctxasr.context.index import PhoneticIndex
from ctxasr.context.semantic import (
    EntryVectors,
    Planner,
    SemanticOptions,
    SemanticRanker,
    Vectors,
    semantic_plan,
)
from ctxasr.errors import ConfigError

# Words that mean the same thing share an axis, so "light" and "lamp" come out close.
AXES = {"light": 0, "lamp": 0, "lights": 0, "fan": 1, "breeze": 1, "heater": 2, "warm": 2}


class BagOfMeanings:
    """A stand-in sentence encoder: counts words per meaning axis, unit length."""

    name, dimension = "bag", 4

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded.extend(texts)
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for number, text in enumerate(texts):
            for word in text.lower().replace(".", "").split():
                rows[number, AXES.get(word, 3)] += 1.0
        return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


def tokenize(text: str) -> list[int]:
    return [len(word) for word in text.split()]  # one token per word


def _planner(options: PlanOptions) -> Planner:
    def plan(context: DialogueContext, similarity: Mapping[str, float] | None) -> ContextPlan:
        index = PhoneticIndex(context.catalogs, Pronouncer())
        return build_plan(context, tokenize, index, options, similarity)

    return plan


def _home(devices: list[str], turn: str = "Turn on the light.") -> DialogueContext:
    people = [f"Person{i} Surname{i}" for i in range(40)]
    return DialogueContext.from_json(
        {
            "turns": [{"role": "user", "text": turn}, {"role": "assistant", "text": "Sure."}],
            "catalogs": {"contacts": people, "devices": devices},
        }
    )


DEVICES = ["Ceiling Fan", "Garage Heater", "Office Fan", "Towel Heater", "Bedside Lamp"]
SMALL = PlanOptions(prompt_budget_tokens=30, turn_budget_tokens=10)


def test_entries_close_in_meaning_score_higher() -> None:
    ranker = SemanticRanker(BagOfMeanings())
    scores = ranker.similarity(["Turn on the light."], DEVICES, ranker.new_cache())
    assert max(scores, key=lambda entry: scores[entry]) == "Bedside Lamp"
    assert scores["Bedside Lamp"] > scores["Ceiling Fan"]


def test_meaning_reorders_within_a_catalog_not_across() -> None:
    planner = _planner(SMALL)
    context = _home(DEVICES)
    lexical = planner(context, None)
    ranker = SemanticRanker(BagOfMeanings())
    plan = semantic_plan(planner, context, ranker, ranker.new_cache())
    assert lexical.overflows and plan.overflows
    assert "Bedside Lamp" not in [p.text for p in lexical.selected]  # last in catalog order
    devices = [p.text for p in plan.selected if p.catalog == "devices"]
    assert devices[0] == "Bedside Lamp"
    # Each catalog keeps its share of the prompt: round-robin is untouched.
    assert Counter(p.catalog for p in plan.selected) == Counter(p.catalog for p in lexical.selected)


def test_options_just_offered_stay_first() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "The Ceiling Fan or the Office Fan?"}],
            "catalogs": {"devices": [*DEVICES, *(f"Light {i}" for i in range(30))]},
        }
    )
    ranker = SemanticRanker(BagOfMeanings())
    plan = semantic_plan(_planner(SMALL), context, ranker, ranker.new_cache())
    assert {p.text for p in plan.selected[:2]} == {"Ceiling Fan", "Office Fan"}


def test_plans_that_fit_or_have_no_turns_are_left_alone() -> None:
    encoder = BagOfMeanings()
    ranker = SemanticRanker(encoder)
    fits = _home(DEVICES)
    plan = semantic_plan(_planner(PlanOptions()), fits, ranker, ranker.new_cache())
    assert not plan.overflows
    no_turns = DialogueContext.from_json({"catalogs": {"devices": DEVICES * 1}})
    semantic_plan(_planner(SMALL), no_turns, ranker, ranker.new_cache())
    assert encoder.encoded == []  # nothing was worth encoding


def test_given_turn_vectors_are_used_and_entries_cached() -> None:
    encoder = BagOfMeanings()
    ranker = SemanticRanker(encoder)
    cache = ranker.new_cache()
    turns = ["Turn on the light.", "Sure."]
    vectors = encoder.encode(turns)
    encoder.encoded.clear()
    ranker.similarity(turns, DEVICES, cache, turn_vectors=vectors)
    assert encoder.encoded == DEVICES  # the turns were not encoded again
    ranker.similarity(turns, DEVICES, cache, turn_vectors=vectors)
    assert encoder.encoded == DEVICES  # and the entries not twice


def test_new_entries_per_build_are_bounded() -> None:
    encoder = BagOfMeanings()
    ranker = SemanticRanker(encoder, SemanticOptions(max_new_entries=2))
    scores = ranker.similarity(["Turn on the light."], DEVICES, ranker.new_cache())
    assert len(scores) == 2 and len(encoder.encoded) == 1 + 2  # the turn, then two entries


def test_entry_cache_drops_least_recently_used() -> None:
    cache = EntryVectors(capacity=2)
    one = np.ones(2, dtype=np.float32)
    cache.put("a", one)
    cache.put("b", one)
    assert cache.get("a") is not None  # "b" is now the oldest
    cache.put("c", one)
    assert cache.get("b") is None and len(cache) == 2


@pytest.mark.parametrize(
    "kwargs", [{"recent_turns": 0}, {"max_new_entries": -1}, {"cache_entries": 0}]
)
def test_bad_options_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        SemanticOptions(**kwargs)
