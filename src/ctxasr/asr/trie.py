"""Token-level biasing: a prefix tree of catalog phrases, consulted at every decoding step.

Shallow fusion with a failure cost, as in production contextual ASR: each token that continues
a catalog phrase earns ``bonus_per_token``; a hypothesis that leaves a phrase before finishing it
gives back what that phrase earned, so only completed phrases keep their bonus. Each phrase is
entered as the tokenizer spells it mid-sentence (" Meg Bauer") and at the start ("Meg Bauer").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ctxasr.errors import ConfigError

ROOT = 0


@dataclass(frozen=True)
class TrieOptions:
    # Log-probability added per token that continues a catalog phrase (taken back on failure),
    # up to max_phrase_bonus per phrase: a correct name costs the model a couple of nats over
    # its own reading, a name forced onto unrelated words many more, and an uncapped bonus per
    # token would pay long names enough to win anywhere.
    bonus_per_token: float = 2.0
    max_phrase_bonus: float = 3.0
    # A hypothesis earns bonuses for at most this many phrases, each at most once: an answer
    # names one or two entries, and a bonus per phrase would otherwise reward reciting the list.
    max_phrases: int = 2

    def __post_init__(self) -> None:
        if self.bonus_per_token < 0 or self.max_phrase_bonus < 0:
            raise ConfigError("TrieOptions bonuses must be >= 0")
        if self.max_phrases < 1:
            raise ConfigError("TrieOptions.max_phrases must be >= 1")


@dataclass(frozen=True)
class TrieState:
    node: int = ROOT  # where in the tree the hypothesis stands (ROOT: outside any phrase)
    pending: float = 0.0  # bonus of the unfinished phrase, given back if it is left
    earned: float = 0.0  # bonus of the current phrase so far ("Meg" and then "Meg Bauer")
    counted: bool = False  # the current phrase already counts towards max_phrases
    done: frozenset[int] = frozenset()  # end nodes of the phrases completed so far
    n_phrases: int = 0


class PhraseTrie:
    """Catalog phrases as token sequences; implements ``torch_decoder.StepBias``."""

    def __init__(
        self,
        phrases: Iterable[str],
        tokenize: Callable[[str], list[int]],
        options: TrieOptions | None = None,
    ) -> None:
        self.options = options or TrieOptions()
        self._children: list[dict[int, int]] = [{}]
        self._complete: set[int] = set()
        for phrase in dict.fromkeys(p.strip() for p in phrases if p.strip()):
            for spelling in (" " + phrase, phrase):
                self._add(tokenize(spelling))
        self._starts = list(self._children[ROOT])  # first tokens, indexed on every step
        self._first_token = {child: token for token, child in self._children[ROOT].items()}

    def __len__(self) -> int:
        return len(self._complete)

    def _add(self, tokens: Sequence[int]) -> None:
        node = _insert(self._children, tokens)
        if node != ROOT:
            self._complete.add(node)

    # -- StepBias ----------------------------------------------------------------------

    def start(self) -> TrieState:
        return TrieState()

    def adjust(self, scores: Any, states: Sequence[TrieState]) -> Any:
        """``scores`` ([beams, vocab] log-probs) plus what each token would earn or give back
        (exactly what ``advance`` books)."""
        out = scores.clone()
        first_gain = min(self.options.bonus_per_token, self.options.max_phrase_bonus)
        for row, state in enumerate(states):
            if state.pending:
                out[row] -= state.pending  # leaving the phrase gives its bonus back
            if state.n_phrases >= self.options.max_phrases:
                continue
            if self._starts:  # every phrase may begin here (vectorised: thousands of entries)
                out[row, self._starts] += first_gain
            # The exceptions, looked up one by one: single-token phrases said before, and the
            # tokens that carry the current phrase on.
            repeats = [self._first_token[c] for c in state.done if c in self._first_token]
            onward = list(self._children[state.node]) if state.node != ROOT else []
            for token in (*repeats, *onward):
                out[row, token] = scores[row, token] + self.advance(state, token)[1]
        return out

    def advance(self, state: TrieState, token: int) -> tuple[TrieState, float]:
        """The state after ``token`` and the bonus it changed (negative when a phrase is left)."""
        if state.n_phrases >= self.options.max_phrases:
            return state, 0.0
        child = self._children[state.node].get(token) if state.node != ROOT else None
        if child is not None:  # the phrase goes on
            return self._step(state, child)
        child = self._children[ROOT].get(token)
        if child is None:  # outside every phrase
            return _outside(state), -state.pending
        new, gained = self._step(_outside(state), child)
        return new, gained - state.pending

    def _step(self, state: TrieState, child: int) -> tuple[TrieState, float]:
        """Into ``child`` from ``state`` (whose phrase ``child`` continues or begins)."""
        if child in self._complete and child in state.done:  # a phrase said again earns nothing
            return _outside(state), -state.pending
        gain = max(
            0.0, min(self.options.bonus_per_token, self.options.max_phrase_bonus - state.earned)
        )
        new = replace(state, node=child, pending=state.pending + gain, earned=state.earned + gain)
        if child in self._complete:
            n_phrases = state.n_phrases + (not state.counted)
            new = replace(
                new, pending=0.0, counted=True, done=state.done | {child}, n_phrases=n_phrases
            )
            if not self._children[child]:
                new = replace(new, node=ROOT, earned=0.0, counted=False)
        return new, gain


def _outside(state: TrieState) -> TrieState:
    """Outside every phrase, keeping what the hypothesis has completed so far."""
    return TrieState(done=state.done, n_phrases=state.n_phrases)


def _insert(children: list[dict[int, int]], tokens: Sequence[int]) -> int:
    """Adds the path of ``tokens`` to the tree ``children`` (node -> token -> node); returns
    the node where it ends (ROOT for no tokens)."""
    node = ROOT
    for token in tokens:
        child = children[node].get(token)
        if child is None:
            child = len(children)
            children.append({})
            children[node][token] = child
        node = child
    return node


class EntryTrie:
    """Catalog entries as token sequences (as spelled mid-sentence, " Meg Bauer"), for a search
    that may only spell entries (``TorchWhisperDecoder.search_entries``)."""

    def __init__(self, entries: Sequence[str], tokenize: Callable[[str], list[int]]) -> None:
        self.entries = tuple(entries)
        self._children: list[dict[int, int]] = [{}]
        self._ends: dict[int, list[int]] = {}  # node -> the entries that end there
        for number, entry in enumerate(self.entries):
            node = _insert(self._children, tokenize(" " + entry.strip()))
            if node != ROOT:
                self._ends.setdefault(node, []).append(number)

    def __len__(self) -> int:
        return len(self.entries)

    def children(self, node: int) -> dict[int, int]:
        """Token -> node, for each token that carries an entry on from ``node``."""
        return self._children[node]

    def ends(self, node: int) -> list[int]:
        """The entries (their numbers) spelled by the tokens that lead to ``node``."""
        return self._ends.get(node, [])
