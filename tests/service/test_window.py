"""The computation window on its own: a fake planner and encoder, the in-memory store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pytest

from ctxasr.asr import Recognizer
from ctxasr.clock import ManualClock
from ctxasr.context import ContextPlan, DialogueContext
from ctxasr.context.semantic import SemanticRanker
from ctxasr.crypto import Envelope, StaticKeyring
from ctxasr.service.embeddings import Vectors
from ctxasr.service.window import SWEEP_EVERY_MS, ComputationWindow
from ctxasr.store import ContextStore, StoreOptions
from ctxasr.store.memory import MemoryBackend
from tests.helpers import catalog, expect_speech, recognize, speak

T, D = "tenant", "kitchen"


class FakeEncoder:
    name, dimension = "fake", 3

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.gate.wait(timeout=10)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


class FakeTokenizer:
    """Just enough of the engine for planning: one token per word."""

    name = "fake"

    def tokenize(self, text: str) -> list[int]:
        return [len(word) for word in text.split()]


class GatedPlanner:
    """Returns a marker 'plan' once released, and remembers the contexts it saw."""

    def __init__(self, released: bool = True, fail: bool = False) -> None:
        self.gate = threading.Event()
        if released:
            self.gate.set()
        self.fail = fail
        self.seen: list[DialogueContext] = []

    def __call__(
        self, context: DialogueContext, similarity: Mapping[str, float] | None = None
    ) -> ContextPlan:
        self.gate.wait(timeout=10)
        if self.fail:
            raise RuntimeError("planner broke")
        self.seen.append(context)
        return cast(ContextPlan, ("plan", context))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> ContextStore:
    options = StoreOptions(ttl_ms=60_000)
    return ContextStore(MemoryBackend(), Envelope(StaticKeyring()), options, clock=clock)


def make_window(
    store: ContextStore, planner: Any, clock: ManualClock, encoder: FakeEncoder | None = None
) -> ComputationWindow:
    return ComputationWindow(store, planner, encoder=encoder or FakeEncoder(), clock=clock)


def ask_back(
    store: ContextStore, device: str, interaction: str, contacts: list[str], question: str
) -> str:
    """Record a request, a contact list, the assistant's question and the re-opened mic."""
    store.record(T, device, recognize(interaction, "Call Meg."))
    store.record(T, device, catalog(interaction, "contacts", contacts))
    store.record(T, device, speak(interaction, question))
    assert store.record(T, device, expect_speech(interaction)).decision.build
    return interaction


@pytest.fixture
def followup(store: ContextStore) -> Iterator[str]:
    yield ask_back(
        store, D, "dr-1", ["Meg Jones", "Meg Bauer"], "Do you mean Meg Jones or Meg Bauer?"
    )


def test_ready_plan_is_handed_over_with_its_context(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    planner = GatedPlanner()
    window = make_window(store, planner, clock)
    window.open(T, D, followup, deadline_ms=None)
    outcome = window.take(T, D, followup, grace_ms=5_000)
    assert outcome.ready and outcome.plan is not None and outcome.build_ms is not None
    context = planner.seen[0]
    assert [t.text for t in context.turns] == ["Call Meg.", "Do you mean Meg Jones or Meg Bauer?"]
    assert context.catalogs[0].entries == ("Meg Jones", "Meg Bauer")
    assert len(window.turn_vectors(T, D, k=6)) == 2
    window.close()


def test_late_context_is_skipped_not_waited_for(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    planner = GatedPlanner(released=False)
    window = make_window(store, planner, clock)
    window.open(T, D, followup, deadline_ms=None)
    outcome = window.take(T, D, followup, grace_ms=50)
    assert outcome.plan is None and not outcome.ready
    assert outcome.reason == "context not ready in time"
    planner.gate.set()
    window.close()


def test_failed_build_means_no_context_not_an_error(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    window = make_window(store, GatedPlanner(fail=True), clock)
    window.open(T, D, followup, deadline_ms=None)
    outcome = window.take(T, D, followup, grace_ms=5_000)
    assert outcome.plan is None and "planner broke" in outcome.reason
    window.close()


def test_other_interaction_or_device_gets_nothing(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    window = make_window(store, GatedPlanner(), clock)
    window.open(T, D, followup, deadline_ms=None)
    assert window.take(T, D, "dr-other", grace_ms=1_000).plan is None
    assert window.take(T, "hall", None, grace_ms=1_000).plan is None
    assert window.take("other-tenant", D, None, grace_ms=1_000).plan is None
    window.close()


def test_erase_during_build_leaves_nothing_behind(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    encoder = FakeEncoder()
    encoder.gate.clear()
    window = make_window(store, GatedPlanner(), clock, encoder)
    window.open(T, D, followup, deadline_ms=None)
    window.forget(T, D)  # the build has decrypted the turns and waits in the encoder
    encoder.gate.set()
    window.settle(T, D, timeout_ms=1_000)
    assert window.take(T, D, followup, grace_ms=1_000).plan is None
    assert window.turn_vectors(T, D, k=6) == []
    window.close()


def test_turn_vectors_expire_with_the_store(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    window = make_window(store, GatedPlanner(), clock)
    window.open(T, D, followup, deadline_ms=None)
    window.settle(T, D, timeout_ms=5_000)
    assert len(window.turn_vectors(T, D, k=1)) == 1
    clock.advance(store.options.ttl_ms + 1)
    assert window.turn_vectors(T, D, k=6) == []
    window.close()


class CountingEncoder(FakeEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return super().encode(texts)


def test_selection_by_meaning_reuses_the_turn_vectors(
    store: ContextStore, clock: ManualClock
) -> None:
    people = [f"Person{i} Surname{i}" for i in range(400)]  # overflows the prompt
    ask_back(store, D, "dr-9", people, "Which one?")
    recognizer = Recognizer(engine=cast(Any, FakeTokenizer()))
    encoder = CountingEncoder()
    ranker = SemanticRanker(encoder)
    window = ComputationWindow(store, recognizer.plan, encoder=encoder, ranker=ranker, clock=clock)
    window.open(T, D, "dr-9", deadline_ms=None)
    outcome = window.take(T, D, "dr-9", grace_ms=10_000)
    assert outcome.plan is not None and outcome.plan.overflows
    assert encoder.texts.count("Call Meg.") == 1  # embedded once, for both uses
    assert "Person0 Surname0" in encoder.texts  # entries were scored
    assert window._entry_vectors
    window.forget(T, D)
    assert not window._entry_vectors
    window.close()


def test_silent_devices_are_swept_after_the_ttl(
    store: ContextStore, clock: ManualClock, followup: str
) -> None:
    window = make_window(store, GatedPlanner(), clock)
    window.open(T, D, followup, deadline_ms=None)
    window.settle(T, D, timeout_ms=5_000)
    window.forget("other", "erased")
    clock.advance(store.options.ttl_ms + SWEEP_EVERY_MS)
    ask_back(store, "hall", "dr-2", ["Meg Jones"], "Which Meg?")
    window.open(T, "hall", "dr-2", deadline_ms=None)  # any later opening sweeps
    window.settle(T, "hall", timeout_ms=5_000)
    held = window._slots, window._vectors, window._epochs
    assert [set(h) for h in held] == [{(T, "hall")}, {(T, "hall")}, set()]
    assert window.take(T, D, followup, grace_ms=0).plan is None
    window.close()
