"""The store contract: one suite, run against the memory, SQLite and DynamoDB backends."""

from __future__ import annotations

import threading

import pytest

from ctxasr.clock import ManualClock
from ctxasr.errors import (
    DuplicateItemError,
    ForeignInteractionError,
    InteractionExpiredError,
    LimitExceededError,
    UnknownInteractionError,
)
from ctxasr.events import parse_envelope
from ctxasr.store import Action, StoreLimits, StoreOptions
from tests.conftest import StoreFactory
from tests.helpers import catalog, envelope, expect_speech, passive, recognize, speak

T, D = "tenant-a", "device-1"


def _meg_dialogue(store, interaction: str = "dr-1", device: str = D):  # type: ignore[no-untyped-def]
    results = [
        store.record(T, device, recognize(interaction, "Call Meg.")),
        store.record(T, device, catalog(interaction, "contacts", ["Meg Jones", "Meg Bauer"])),
        store.record(T, device, speak(interaction, "Do you mean Meg Jones or Meg Bauer?")),
        store.record(T, device, expect_speech(interaction)),
    ]
    return results


def test_append_returns_updated_status_and_triggers_on_expect_speech(
    make_store: StoreFactory, clock: ManualClock
) -> None:
    store = make_store()
    results = _meg_dialogue(store)
    assert [len(r.status.events) for r in results] == [1, 2, 3, 4]
    assert [r.decision.action for r in results] == [Action.IGNORE] * 3 + [Action.BUILD]
    names = [e.name for e in results[-1].status.events]
    assert names == [
        "SpeechRecognizer.Recognize",
        "Context.Catalog",
        "SpeechSynthesizer.Speak",
        "SpeechRecognizer.ExpectSpeech",
    ]
    speak_event = results[-1].status.events[2]
    assert results[-1].decision.deadline_ms == speak_event.at_ms + 2000
    assert len(results[-1].status.item_ids) == 3


def test_load_context_decrypts_turns_and_catalogs(make_store: StoreFactory) -> None:
    store = make_store()
    _meg_dialogue(store)
    context = store.load_context(T, D, "dr-1")
    assert [(t.role, t.text) for t in context.turns] == [
        ("user", "Call Meg."),
        ("assistant", "Do you mean Meg Jones or Meg Bauer?"),
    ]
    assert context.catalogs == {"contacts": ("Meg Jones", "Meg Bauer")}
    assert store.envelope.counters.decrypts == 3


def test_no_decryption_without_followup(make_store: StoreFactory) -> None:
    store = make_store()
    store.record(T, D, recognize("dr-1", "What time is it?"))
    result = store.record(T, D, speak("dr-1", "It is noon."))
    assert result.decision.action is Action.IGNORE
    assert store.envelope.counters.encrypts == 2
    assert store.envelope.counters.decrypts == 0


def test_later_catalog_replaces_earlier_one(make_store: StoreFactory) -> None:
    store = make_store()
    store.record(T, D, recognize("dr-1", "Show restaurants."))
    store.record(T, D, catalog("dr-1", "screen", ["Luigi's", "Noodle Bar"]))
    store.record(T, D, catalog("dr-1", "screen", ["Blue Bottle"]))
    assert store.load_context(T, D, "dr-1").catalogs == {"screen": ("Blue Bottle",)}


def test_catalog_for_unknown_interaction_is_refused(make_store: StoreFactory) -> None:
    store = make_store()
    with pytest.raises(UnknownInteractionError):
        store.record(T, D, catalog("dr-missing", "contacts", ["A"]))
    with pytest.raises(UnknownInteractionError):
        store.status(T, D, "dr-missing")


def test_foreign_device_is_refused_and_nothing_written(make_store: StoreFactory) -> None:
    store = make_store()
    _meg_dialogue(store)
    with pytest.raises(ForeignInteractionError):
        store.record(T, "device-2", catalog("dr-1", "contacts", ["Mallory"]))
    with pytest.raises(ForeignInteractionError):
        store.record(T, "device-2", recognize("dr-1", "hello"))
    with pytest.raises(ForeignInteractionError):
        store.load_context(T, "device-2", "dr-1")
    context = store.load_context(T, D, "dr-1")
    assert len(context.status.events) == 4
    assert context.catalogs == {"contacts": ("Meg Jones", "Meg Bauer")}


def test_other_tenant_sees_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    _meg_dialogue(store)
    with pytest.raises(UnknownInteractionError):
        store.load_context("tenant-b", D, "dr-1")
    assert store.recent_interactions("tenant-b", D, 10) == []


def test_expiry_hides_entries_before_physical_deletion(
    make_store: StoreFactory, clock: ManualClock
) -> None:
    store = make_store(StoreOptions(ttl_ms=60_000))
    _meg_dialogue(store)
    clock.advance(59_000)
    assert store.status(T, D, "dr-1").interaction_id == "dr-1"
    clock.advance(1_000)
    with pytest.raises(UnknownInteractionError):
        store.status(T, D, "dr-1")
    with pytest.raises(UnknownInteractionError):
        store.load_context(T, D, "dr-1")
    with pytest.raises(InteractionExpiredError):
        store.record(T, D, speak("dr-1", "Still there?"))
    with pytest.raises(InteractionExpiredError):
        store.record(T, D, catalog("dr-1", "contacts", ["X"]))
    assert store.recent_interactions(T, D, 10) == []
    store.sweep()  # physical deletion; DynamoDB leaves it to its TTL
    assert store.recent_interactions(T, D, 10) == []


def test_sweep_deletes_expired_entries(
    make_store: StoreFactory, clock: ManualClock, backend_name: str
) -> None:
    if backend_name == "dynamodb":
        pytest.skip("DynamoDB deletes through its TTL attribute, not a sweeper")
    store = make_store(StoreOptions(ttl_ms=60_000))
    _meg_dialogue(store)
    clock.advance(30_000)
    store.record(T, D, recognize("dr-2", "later"))
    clock.advance(30_000)
    assert store.sweep() == 1 + 3  # dr-1's status and its three items
    assert [e.interaction_id for e in store.recent_interactions(T, D, 10)] == ["dr-2"]


def test_duplicate_item_is_refused_and_status_unchanged(make_store: StoreFactory) -> None:
    store = make_store()
    store.record(T, D, recognize("dr-1", "Call Meg."))
    body = envelope("SpeechSynthesizer.Speak", "dr-1", {"text": "Which Meg?"})
    store.record(T, D, parse_envelope(body))
    with pytest.raises(DuplicateItemError):
        store.record(T, D, parse_envelope(body))
    assert len(store.status(T, D, "dr-1").events) == 2


def test_limits_are_enforced_atomically(make_store: StoreFactory) -> None:
    limits = StoreLimits(
        max_items_per_interaction=2,
        max_events_per_interaction=4,
        max_item_bytes=200,
        max_list_entries=3,
        max_entry_chars=10,
    )
    store = make_store(StoreOptions(limits=limits))
    store.record(T, D, recognize("dr-1", "one"))
    store.record(T, D, speak("dr-1", "two"))
    with pytest.raises(LimitExceededError, match="payload items"):
        store.record(T, D, catalog("dr-1", "contacts", ["A"]))
    store.record(T, D, passive("dr-1"))
    store.record(T, D, passive("dr-1"))
    with pytest.raises(LimitExceededError, match="events"):
        store.record(T, D, passive("dr-1"))
    assert len(store.status(T, D, "dr-1").events) == 4
    with pytest.raises(LimitExceededError, match="bytes"):
        store.record(T, D, recognize("dr-2", "x" * 300))
    with pytest.raises(LimitExceededError, match="entries"):
        store.record(T, D, catalog("dr-1", "contacts", ["a", "b", "c", "d"]))
    with pytest.raises(LimitExceededError, match="characters"):
        store.record(T, D, catalog("dr-1", "contacts", ["a" * 11]))
    with pytest.raises(UnknownInteractionError):
        store.status(T, D, "dr-2")  # the oversized first event created nothing


def test_erase_device_leaves_other_devices(make_store: StoreFactory) -> None:
    store = make_store()
    _meg_dialogue(store, "dr-1", "device-1")
    _meg_dialogue(store, "dr-2", "device-2")
    assert store.erase_device(T, "device-1") == 4  # one status entry + three items
    with pytest.raises(UnknownInteractionError):
        store.load_context(T, "device-1", "dr-1")
    assert store.load_context(T, "device-2", "dr-2").catalogs
    assert store.erase_device(T, "device-1") == 0


def test_erase_tenant_leaves_other_tenants(make_store: StoreFactory) -> None:
    store = make_store()
    _meg_dialogue(store, "dr-1")
    _meg_dialogue(store, "dr-2")
    store.record("tenant-b", D, recognize("dr-1", "hello"))
    assert store.erase_tenant(T) == 8
    assert store.recent_interactions(T, D, 10) == []
    assert store.load_context("tenant-b", D, "dr-1").turns[0].text == "hello"


def test_recent_interactions_newest_first(make_store: StoreFactory, clock: ManualClock) -> None:
    store = make_store()
    for index in range(5):
        store.record(T, D, recognize(f"dr-{index}", f"turn {index}"))
        clock.advance(1_000)
    store.record(T, "device-2", recognize("dr-x", "elsewhere"))
    recent = store.recent_interactions(T, D, 3)
    assert [e.interaction_id for e in recent] == ["dr-4", "dr-3", "dr-2"]


def test_concurrent_appends_lose_nothing(make_store: StoreFactory) -> None:
    writers, per_writer = 8, 12
    limits = StoreLimits(max_events_per_interaction=1 + writers * per_writer)
    store = make_store(StoreOptions(limits=limits))
    store.record(T, D, recognize("dr-1", "start"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def write(writer: int) -> None:
        try:
            barrier.wait()
            for index in range(per_writer):
                if index == 0:
                    store.record(T, D, catalog("dr-1", f"list-{writer}", [f"e{writer}"]))
                else:
                    store.record(T, D, passive("dr-1"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    context = store.load_context(T, D, "dr-1")
    assert len(context.status.events) == 1 + writers * per_writer
    assert sorted(context.catalogs) == sorted(f"list-{w}" for w in range(writers))
