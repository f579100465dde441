"""Meaning-based selection: rank catalog entries by closeness in meaning to the recent turns.

Word overlap cannot tell that "Turn on the light." points at "Bedside Lamp" rather than "Ceiling
Fan"; a sentence encoder can. The score only matters when the catalogs overflow the prompt (else
every entry is shown anyway), so the plan is first built lexically and re-ranked only then.

Encoding is the cost (all-MiniLM-L6-v2 takes about 1.6 ms per entry on 2 cores), so entry vectors
live in an ``EntryVectors`` cache the caller owns (the service keeps one per device and drops it
on erase) and a build encodes at most ``max_new_entries`` unseen entries; the others get no
semantic score this time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ctxasr.context.model import DialogueContext
from ctxasr.context.plan import ContextPlan
from ctxasr.errors import ConfigError

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
# (context, entry -> similarity or None) -> plan: the recognizer's plan builder.
Planner = Callable[[DialogueContext, Mapping[str, float] | None], ContextPlan]


class TextEncoder(Protocol):
    """Role: map texts to unit-length vectors, one row per text."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True)
class SemanticOptions:
    recent_turns: int = 3  # the newest turns, averaged into one dialogue vector
    max_new_entries: int = 512  # unseen entries encoded per build (bounds the build time)
    cache_entries: int = 20_000  # entry vectors an ``EntryVectors`` keeps

    def __post_init__(self) -> None:
        if self.recent_turns < 1 or self.max_new_entries < 0 or self.cache_entries < 1:
            raise ConfigError("need recent_turns >= 1, max_new_entries >= 0, cache_entries >= 1")


class EntryVectors:
    """Vectors of catalog entries by text, least recently used dropped first. Thread-safe; the
    service keeps one per device (so an erase drops it), eval one per run."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> Vectors | None:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: Vectors) -> None:
        with self._lock:
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)


class SemanticRanker:
    """Role: a context signal scoring catalog entries by cosine similarity to the dialogue."""

    def __init__(self, encoder: TextEncoder, options: SemanticOptions | None = None) -> None:
        self.encoder = encoder
        self.options = options or SemanticOptions()

    def new_cache(self) -> EntryVectors:
        return EntryVectors(self.options.cache_entries)

    def similarity(
        self,
        turns: Sequence[str],
        entries: Sequence[str],
        cache: EntryVectors,
        turn_vectors: Vectors | None = None,  # the turns already encoded (the service has them)
    ) -> dict[str, float]:
        """Cosine of each entry with the mean of the newest turns; unscored entries left out."""
        recent = self.options.recent_turns
        if turn_vectors is None or len(turn_vectors) != len(turns):
            turn_vectors = self.encoder.encode(list(turns[-recent:]))
        dialogue = _unit(np.mean(turn_vectors[-recent:], axis=0))
        if dialogue is None:
            return {}
        self._encode_missing(entries, cache)
        scores: dict[str, float] = {}
        for entry in dict.fromkeys(entries):
            vector = cache.get(entry)
            if vector is not None:
                scores[entry] = float(vector @ dialogue)
        return scores

    def _encode_missing(self, entries: Sequence[str], cache: EntryVectors) -> None:
        missing = [e for e in dict.fromkeys(entries) if cache.get(e) is None]
        todo = missing[: self.options.max_new_entries]
        if len(missing) > len(todo):
            logger.debug("%d entries left unscored this build", len(missing) - len(todo))
        if not todo:
            return
        for entry, vector in zip(todo, self.encoder.encode(todo), strict=True):
            cache.put(entry, np.asarray(vector, dtype=np.float32))


def semantic_plan(
    planner: Planner,
    context: DialogueContext,
    ranker: SemanticRanker,
    cache: EntryVectors,
    turn_vectors: Vectors | None = None,
) -> ContextPlan:
    """The lexical plan, re-ranked by meaning when its catalogs overflow the prompt."""
    start = time.perf_counter()
    plan = planner(context, None)
    if not plan.overflows or not context.turns:
        return plan
    entries = [p.text for p in plan.ranked]
    turns = [t.text for t in context.turns]
    scores = ranker.similarity(turns, entries, cache, turn_vectors)
    reranked = planner(context, scores)
    return replace(reranked, build_ms=(time.perf_counter() - start) * 1000)


def _unit(vector: npt.NDArray[np.floating]) -> Vectors | None:
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    return np.asarray(vector / norm, dtype=np.float32)
