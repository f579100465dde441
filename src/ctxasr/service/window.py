"""The computation window: build a device's context while the assistant's reply plays.

``open`` is called when the store's trigger says the microphone re-opened after a reply; the
build (decrypt the interaction, embed its turns, make the recognizer's plan) runs in a worker
thread at once. ``take`` hands the plan to the follow-up if it is ready within a small grace
period; otherwise, and on any failure, the follow-up runs without context. Nothing here can make
a recognition fail.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import numpy as np

from ctxasr.clock import Clock, SystemClock
from ctxasr.context import Catalog, ContextPlan, ContextTurn, DialogueContext
from ctxasr.context.semantic import EntryVectors, Planner, SemanticRanker, semantic_plan
from ctxasr.service.embeddings import ContextEncoder, Vectors
from ctxasr.store import ContextStore, StoredContext

logger = logging.getLogger(__name__)

DeviceKey = tuple[str, str]  # (tenant, device)
SWEEP_EVERY_MS = 10_000


@dataclass(frozen=True)
class PreparedContext:
    interaction_id: str
    plan: ContextPlan
    build_ms: float


@dataclass(frozen=True)
class ContextOutcome:
    """What the follow-up got from the window, and why."""

    plan: ContextPlan | None
    ready: bool
    reason: str
    interaction_id: str | None = None
    margin_ms: float | None = None  # ready this long before the follow-up (negative: late)
    build_ms: float | None = None  # how long the build took


@dataclass(frozen=True)
class TurnVector:
    role: str
    at_ms: int
    vector: Vectors


@dataclass
class _Slot:
    interaction_id: str
    future: Future[PreparedContext]
    opened_ms: int
    deadline_ms: int | None
    ready_ms: int | None = None


@dataclass
class _Embedded:
    turns: deque[TurnVector] = field(default_factory=deque)


class ComputationWindow:
    """Background context builds, one slot per device (a newer opening replaces an older one)."""

    def __init__(
        self,
        store: ContextStore,  # where the interaction's encrypted payloads live
        planner: Planner,  # the recognizer's plan builder
        *,
        encoder: ContextEncoder | None = None,  # sentence encoder for context embeddings
        ranker: SemanticRanker | None = None,  # selection by meaning, fed the turn vectors
        workers: int = 2,
        max_turn_vectors: int = 16,  # per device, the newest kept
        clock: Clock | None = None,
        on_build: Callable[[str, float], None] | None = None,  # metrics hook (outcome, seconds)
    ) -> None:
        self.store = store
        self.planner = planner
        self.encoder = encoder
        self.ranker = ranker
        self.clock = clock or SystemClock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ctx-build")
        self._slots: dict[DeviceKey, _Slot] = {}
        self._vectors: dict[DeviceKey, _Embedded] = {}
        self._entry_vectors: dict[DeviceKey, EntryVectors] = {}  # for the ranker
        # Bumped by ``forget``: a build that started before an erase must not write back.
        self._epochs: dict[DeviceKey, int] = {}
        self._erased_ms: dict[DeviceKey, int] = {}  # when each epoch was bumped
        self._max_vectors = max_turn_vectors
        self._swept_ms = self.clock.now_ms()
        self._lock = threading.Lock()
        self._on_build = on_build or (lambda outcome, seconds: None)

    def open(self, tenant: str, device: str, interaction_id: str, deadline_ms: int | None) -> None:
        """Start building ``interaction_id``'s context now."""
        self._sweep()
        with self._lock:
            epoch = self._epochs.get((tenant, device), 0)
        future = self._executor.submit(self._build, tenant, device, interaction_id, epoch)
        slot = _Slot(interaction_id, future, self.clock.now_ms(), deadline_ms)
        future.add_done_callback(lambda _: self._mark_ready(slot))
        with self._lock:
            if self._epochs.get((tenant, device), 0) == epoch:
                self._slots[(tenant, device)] = slot

    def take(
        self, tenant: str, device: str, interaction_id: str | None, grace_ms: int
    ) -> ContextOutcome:
        """The device's prepared plan if ready within ``grace_ms``; never raises."""
        with self._lock:
            slot = self._slots.get((tenant, device))
        if slot is None:
            return ContextOutcome(None, False, "no context: the microphone was not re-opened")
        if interaction_id is not None and slot.interaction_id != interaction_id:
            return ContextOutcome(None, False, "no context built for this interaction")
        arrived_ms = self.clock.now_ms()
        try:
            prepared = slot.future.result(timeout=grace_ms / 1000)
        except FutureTimeout:
            return ContextOutcome(None, False, "context not ready in time", slot.interaction_id)
        except Exception as exc:
            return ContextOutcome(None, False, f"context failed: {exc}", slot.interaction_id)
        margin = None if slot.ready_ms is None else float(arrived_ms - slot.ready_ms)
        return ContextOutcome(
            prepared.plan, True, "context ready", slot.interaction_id, margin, prepared.build_ms
        )

    def settle(self, tenant: str, device: str, timeout_ms: int) -> None:
        """Wait up to ``timeout_ms`` for the device's pending build, whatever its outcome."""
        with self._lock:
            slot = self._slots.get((tenant, device))
        if slot is not None:
            with contextlib.suppress(FutureTimeout):
                slot.future.exception(timeout=timeout_ms / 1000)

    def turn_vectors(self, tenant: str, device: str, k: int) -> list[TurnVector]:
        """The newest ``k`` embedded turns of the device (oldest first), unexpired ones only.

        Vectors are derived from stored turns, so they live no longer than the turns do.
        """
        oldest_ms = self.clock.now_ms() - self.store.options.ttl_ms
        with self._lock:
            embedded = self._vectors.get((tenant, device))
            turns = [t for t in embedded.turns if t.at_ms > oldest_ms] if embedded else []
        return turns[-k:] if k > 0 else []

    def forget(self, tenant: str, device: str) -> None:
        """Drop everything held for the device; builds still running will not write back."""
        key = (tenant, device)
        with self._lock:
            self._epochs[key] = self._epochs.get(key, 0) + 1
            self._erased_ms[key] = self.clock.now_ms()
            self._slots.pop(key, None)
            self._vectors.pop(key, None)
            self._entry_vectors.pop(key, None)

    def _sweep(self) -> None:
        """Drop what is held for devices silent longer than the store's TTL (at most every
        ``SWEEP_EVERY_MS``): per-device state must not grow with every device ever seen."""
        now = self.clock.now_ms()
        oldest_ms = now - self.store.options.ttl_ms
        with self._lock:
            if now - self._swept_ms < SWEEP_EVERY_MS:
                return
            self._swept_ms = now
            for key in [k for k, slot in self._slots.items() if slot.opened_ms < oldest_ms]:
                del self._slots[key]
            for key in [k for k, e in self._vectors.items() if _newest(e) < oldest_ms]:
                del self._vectors[key]
            for key in [k for k in self._entry_vectors if k not in self._slots]:
                del self._entry_vectors[key]
            # An erase older than the TTL has no build left to fence off (anything such a build
            # could still write back is past the TTL itself and filtered out on read).
            for key in [k for k, at in self._erased_ms.items() if at < oldest_ms]:
                if key not in self._slots:
                    del self._erased_ms[key], self._epochs[key]

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- the build (worker thread) ---------------------------------------------------------

    def _build(self, tenant: str, device: str, interaction_id: str, epoch: int) -> PreparedContext:
        start = time.perf_counter()
        try:
            stored = self.store.load_context(tenant, device, interaction_id)
            context = to_dialogue_context(stored)
            vectors = None
            if self.encoder is not None and stored.turns:
                vectors = self._embed(tenant, device, stored, epoch)
            plan = self._plan(tenant, device, context, vectors)
        except Exception:
            self._on_build("failed", time.perf_counter() - start)
            logger.warning("context build failed for one interaction", exc_info=True)
            raise
        seconds = time.perf_counter() - start
        self._on_build("built", seconds)
        return PreparedContext(interaction_id, plan, seconds * 1000)

    def _plan(
        self, tenant: str, device: str, context: DialogueContext, vectors: Vectors | None
    ) -> ContextPlan:
        if self.ranker is None:
            return self.planner(context, None)
        with self._lock:
            cache = self._entry_vectors.setdefault((tenant, device), self.ranker.new_cache())
        return semantic_plan(self.planner, context, self.ranker, cache, vectors)

    def _embed(self, tenant: str, device: str, stored: StoredContext, epoch: int) -> Vectors:
        """The stored turns' vectors (in order), also kept for the embeddings endpoint."""
        if self.encoder is None:  # pragma: no cover - checked by the caller
            raise RuntimeError("no encoder")
        vectors = self.encoder.encode([t.text for t in stored.turns])
        with self._lock:
            if self._epochs.get((tenant, device), 0) != epoch:
                return vectors  # the device was erased while this build ran: keep nothing
            embedded = self._vectors.setdefault((tenant, device), _Embedded())
            known = {(t.role, t.at_ms) for t in embedded.turns}
            for turn, vector in zip(stored.turns, vectors, strict=True):
                if (turn.role, turn.at_ms) not in known:
                    embedded.turns.append(TurnVector(turn.role, turn.at_ms, np.asarray(vector)))
            while len(embedded.turns) > self._max_vectors:
                embedded.turns.popleft()
        return vectors

    def _mark_ready(self, slot: _Slot) -> None:
        slot.ready_ms = self.clock.now_ms()


def _newest(embedded: _Embedded) -> int:
    return max((t.at_ms for t in embedded.turns), default=0)


def to_dialogue_context(stored: StoredContext) -> DialogueContext:
    return DialogueContext(
        turns=tuple(ContextTurn(t.role, t.text) for t in stored.turns),
        catalogs=tuple(Catalog(name, entries) for name, entries in stored.catalogs.items()),
    )
