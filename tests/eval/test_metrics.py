"""Metrics on hand-computed cases."""

from __future__ import annotations

import pytest

from ctxasr.eval.metrics import (
    group_metrics,
    relative_change,
    score_item,
    word_edit_distance,
)
from ctxasr.text import normalize


def test_normalisation_of_the_spec() -> None:
    assert normalize("Meg-Bauer, please!") == "meg bauer please"
    assert normalize("  Don't   STOP  ") == "don't stop"
    assert normalize("\uff26\uff35\uff2c\uff2c width") == "full width"  # NFKC folds full-width
    assert normalize("Café #5") == "café 5"
    assert normalize("fifty") != normalize("50")


def test_word_edit_distance() -> None:
    assert word_edit_distance(["a", "b", "c"], ["a", "x", "c"]) == 1
    assert word_edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    assert word_edit_distance([], ["a", "b"]) == 2  # insertion-only
    assert word_edit_distance(["a", "b"], []) == 2


def test_entity_match_is_whole_word() -> None:
    hit = score_item("Call Meg Bauer.", "call meg bauer", ["Meg Bauer"], [], False)
    assert (hit.entity_errors, hit.entities) == (0, 1)
    partial = score_item("Call Al.", "call alan", ["Al"], [], False)
    assert partial.entity_errors == 1  # "al" is not a whole word of "alan"
    spelling = score_item("Alfa.", "Alpha.", ["Alfa"], [], False)
    assert spelling.entity_errors == 1  # another spelling is an error


def test_false_bias_only_on_distractors() -> None:
    catalog = ["Meg Bauer", "Lava Lamp"]
    biased = score_item("Turn the power off.", "turn the lava lamp off", [], catalog, True)
    assert biased.false_bias
    fine = score_item("Turn on the lava lamp.", "turn on the lava lamp", [], catalog, True)
    assert not fine.false_bias  # the reference names it too
    assert not score_item("x", "meg bauer", [], catalog, False).false_bias


def test_group_metrics_sum_over_items() -> None:
    scores = [
        score_item("a b c d", "a b c d", ["b c"], [], False),  # 0/4 words, 0/1 entity
        score_item("e f", "e g", ["f"], [], False),  # 1/2 words, 1/1 entity
        score_item("", "uh", [], ["Meg"], True),  # empty reference: 1 insertion
        score_item("turn it off", "turn meg off", [], ["Meg"], True),  # 1 error, biased
    ]
    metrics = group_metrics(scores)
    assert metrics.items == 4
    assert metrics.wer.value == pytest.approx(3 / 9, abs=1e-4)
    assert metrics.eer.value == pytest.approx(1 / 2)
    assert metrics.fbr.value == pytest.approx(1 / 2)
    assert metrics.wer.low is not None and metrics.wer.high is not None
    assert metrics.wer.low <= metrics.wer.value <= metrics.wer.high
    assert metrics.eer.denominator == 2


def test_undefined_metrics_are_none() -> None:
    metrics = group_metrics([score_item("a", "a", [], [], False)])
    assert metrics.eer.value is None and metrics.fbr.value is None
    assert group_metrics([]).wer.value is None


def test_relative_change() -> None:
    assert relative_change(0.6, 0.1) == pytest.approx(0.8333, abs=1e-4)
    assert relative_change(0.0, 0.1) is None
    assert relative_change(None, 0.1) is None
