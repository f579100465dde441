"""The token-level bias: bonus per phrase token, given back when a phrase is left unfinished."""

from __future__ import annotations

import pytest
import torch

from ctxasr.asr.trie import EntryTrie, PhraseTrie, TrieOptions, TrieState
from ctxasr.errors import ConfigError

# A toy tokenizer: one token per character, so phrases and their token paths are easy to read.
VOCAB = 128


def tokenize(text: str) -> list[int]:
    return [ord(c) for c in text]


def trie(*phrases: str, bonus: float = 1.0) -> PhraseTrie:
    return PhraseTrie(phrases, tokenize, TrieOptions(bonus_per_token=bonus, max_phrase_bonus=99))


def walk(t: PhraseTrie, text: str) -> tuple[TrieState, float]:
    state, total = t.start(), 0.0
    for token in tokenize(text):
        state, gained = t.advance(state, token)
        total += gained
    return state, total


def test_a_finished_phrase_keeps_one_bonus_per_token() -> None:
    t = trie("ab")
    state, total = walk(t, "xab")
    assert total == pytest.approx(2.0)
    assert state.pending == 0.0  # banked: leaving now costs nothing
    _, after = t.advance(state, ord("z"))
    assert after == 0.0


def test_leaving_a_phrase_unfinished_gives_its_bonus_back() -> None:
    t = trie("abc")
    state, total = walk(t, "ab")
    assert total == pytest.approx(2.0) and state.pending == pytest.approx(2.0)
    state, total = walk(t, "abz")
    assert total == pytest.approx(0.0)
    assert state == t.start()


def test_phrases_are_entered_with_and_without_a_leading_space() -> None:
    t = trie("ab")
    assert len(t) == 2
    assert walk(t, " ab")[1] == pytest.approx(3.0)
    assert walk(t, "ab")[1] == pytest.approx(2.0)


def test_a_phrase_that_extends_another_keeps_growing() -> None:
    t = trie("ab", "abcd")
    _, total = walk(t, "abcd")
    assert total == pytest.approx(4.0)
    _, total = walk(t, "abcz")  # "ab" was finished: only "c" is given back
    assert total == pytest.approx(2.0)


def test_adjust_matches_advance() -> None:
    """The scores the search ranks by add exactly what ``advance`` will book."""
    t = trie("abc", bonus=1.5)
    mid, _ = walk(t, "ab")
    states = [t.start(), mid]
    scores = torch.zeros(2, VOCAB)
    adjusted = t.adjust(scores, states)
    for row, state in enumerate(states):
        for token in (ord("a"), ord("c"), ord("z"), ord(" ")):
            _, gained = t.advance(state, token)
            assert float(adjusted[row, token]) == pytest.approx(gained), (row, chr(token))
    assert scores.abs().sum() == 0  # the input is not modified


def test_an_empty_trie_changes_nothing() -> None:
    t = trie()
    scores = torch.randn(3, VOCAB)
    assert torch.equal(t.adjust(scores, [t.start()] * 3), scores)


def test_negative_bonus_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        TrieOptions(bonus_per_token=-1.0)


def test_a_phrase_earns_once_per_hypothesis() -> None:
    t = trie("ab", "cd", "ef")
    _, once = walk(t, "ab")
    _, twice = walk(t, "abab")
    assert twice == pytest.approx(once)  # reciting the same entry again earns nothing


def test_at_most_max_phrases_earn() -> None:
    t = PhraseTrie(["ab", "cd", "ef"], tokenize, TrieOptions(bonus_per_token=1.0, max_phrases=2))
    _, total = walk(t, "abcdef")
    assert total == pytest.approx(4.0)  # "ef" comes after two finished phrases


def test_adjust_matches_advance_after_phrases_are_done() -> None:
    t = PhraseTrie(["ab", "abc", "cd"], tokenize, TrieOptions(bonus_per_token=1.0, max_phrases=3))
    states = [walk(t, text)[0] for text in ("ab", "abx", "abxa", "abxcd")]
    adjusted = t.adjust(torch.zeros(len(states), VOCAB), states)
    for row, state in enumerate(states):
        for token in map(ord, "abcdz"):
            _, gained = t.advance(state, token)
            assert float(adjusted[row, token]) == pytest.approx(gained), (row, chr(token))


def test_a_phrase_earns_at_most_max_phrase_bonus() -> None:
    options = TrieOptions(bonus_per_token=1.0, max_phrase_bonus=2.5)
    t = PhraseTrie(["abcdef", "ab"], tokenize, options)
    assert walk(t, "abcdef")[1] == pytest.approx(2.5)  # "ab" then "abcdef": one phrase, capped
    assert walk(t, "abcdex")[1] == pytest.approx(2.0)  # left after the cap: "ab" stays earned


def test_the_entry_trie_shares_prefixes_and_ends_each_entry() -> None:
    entries = ["Meg Bauer", "Meg Jones", "Me", "Meg Bauer"]  # a spelling twice: both end there
    t = EntryTrie(entries, tokenize)
    assert len(t) == 4
    node = 0
    for token in tokenize(" Me"):
        (node,) = [t.children(node)[token]]
    assert t.ends(node) == [2]
    assert set(t.children(node)) == {ord("g")}  # "Meg ..." goes on from " Me"
    for token in tokenize("g Bauer"):
        node = t.children(node)[token]
    assert t.ends(node) == [0, 3] and t.children(node) == {}
    assert ord("M") not in t.children(0)  # entries are spelled mid-sentence, after a space
