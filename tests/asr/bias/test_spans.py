"""The text helpers the biasing steps share: runs, alignment blocks, respelling."""

from __future__ import annotations

from ctxasr.asr.bias.spans import (
    blocks,
    catalog_phrases_in,
    catalog_positions,
    keep_punctuation,
    respelled,
    spans,
)
from tests.asr.bias.common import make_biaser


def test_spans_run_shortest_first_up_to_the_longest() -> None:
    assert list(spans(3, 2)) == [(0, 1), (1, 2), (2, 3), (0, 2), (1, 3)]
    assert list(spans(1, 4)) == [(0, 1)]


def test_adjacent_differences_join_into_one_block() -> None:
    found = blocks(["turn", "the", "power", "off"], ["turn", "the", "meg", "bauer", "off"])
    assert found == [(True, (0, 2), (0, 2)), (False, (2, 3), (2, 4)), (True, (3, 4), (4, 5))]
    # A replacement next to an insertion is one stretch for the guard to judge, not two.
    joined = blocks(["a", "b", "c"], ["x", "y", "c"])
    assert joined == [(False, (0, 2), (0, 2)), (True, (2, 3), (2, 3))]


def test_catalog_phrases_and_their_positions() -> None:
    index = make_biaser().plan.index
    tokens = ["call", "meg", "bauer", "now"]
    assert catalog_phrases_in(tokens, index) == {"meg", "bauer", "meg bauer"}
    assert catalog_positions(index, tokens) == {1, 2}
    assert catalog_positions(index, ["call", "bauer"], whole_only=True) == set()


def test_a_respelling_keeps_the_marks_of_its_span() -> None:
    tokens = ["No,", "but", "please."]
    assert keep_punctuation(tokens, (0, 2), "Novak") == "Novak,"  # the pause inside it
    assert respelled(tokens, (0, 2), "Novak") == "Novak, please."
    assert respelled(["(Shavon", "Okafor)."], (0, 2), "Siobhan Okafor") == "(Siobhan Okafor)."
