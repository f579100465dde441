"""The context store: validated, encrypted, expiring storage of dialogue events.

``record()`` is the write path: it checks limits, seals the payload item (once), appends
atomically and returns the updated status with the trigger's decision. ``load_context()`` is the
only read path that decrypts, and is called only when a context is built.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from ctxasr.clock import Clock, SystemClock
from ctxasr.crypto import Envelope
from ctxasr.errors import (
    ForeignInteractionError,
    InteractionExpiredError,
    LimitExceededError,
    UnknownInteractionError,
)
from ctxasr.events import CONTEXT_CATALOG, DialogueEvent, ItemKind, Payload, check_id
from ctxasr.store.base import StoreBackend
from ctxasr.store.model import (
    AppendRequest,
    EventRecord,
    InteractionKey,
    StatusEntry,
    StoredItem,
    StoreOptions,
)
from ctxasr.store.trigger import TriggerDecision, decide

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppendResult:
    status: StatusEntry  # the entry as it is right after this write
    decision: TriggerDecision  # what to do now, decided on that fresh entry


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "assistant"
    text: str
    at_ms: int


@dataclass(frozen=True)
class StoredContext:
    """The decrypted content of one interaction, in event order."""

    status: StatusEntry
    turns: tuple[Turn, ...]
    catalogs: dict[str, tuple[str, ...]]  # catalog name -> entries (latest signal wins)


class ContextStore:
    """Front of the store: validation, encryption, expiry and the follow-up trigger."""

    def __init__(
        self,
        backend: StoreBackend,  # persists status entries and sealed items
        envelope: Envelope,  # seals/opens payload items
        options: StoreOptions | None = None,
        clock: Clock | None = None,  # injectable for expiry tests
    ) -> None:
        self.backend = backend
        self.envelope = envelope
        self.options = options or StoreOptions()
        self.clock = clock or SystemClock()
        self._sweeper: _Sweeper | None = None

    # -- writes ----------------------------------------------------------------------------

    def record(self, tenant_id: str, device_id: str, event: DialogueEvent) -> AppendResult:
        """Append one event (and its payload) and decide whether to build the context."""
        check_id(tenant_id, "tenant id")
        check_id(device_id, "device id")
        key = InteractionKey(tenant_id, event.interaction_id)
        now_ms = self.clock.now_ms()
        item = None
        if event.payload is not None:
            item = self._seal(key, device_id, event, now_ms)
        request = AppendRequest(
            key=key,
            device_id=device_id,
            record=EventRecord(now_ms, event.name, item.item_id if item else None, event.arg_ms),
            item=item,
            now_ms=now_ms,
            expires_at_ms=now_ms + self.options.ttl_ms,
            may_create=event.name != CONTEXT_CATALOG,
            limits=self.options.limits,
        )
        status = self.backend.append(request)
        decision = decide(status)
        logger.debug("%s %s -> %s", key.interaction_id, event.name, decision.action)
        return AppendResult(status, decision)

    def _seal(
        self, key: InteractionKey, device_id: str, event: DialogueEvent, now_ms: int
    ) -> StoredItem:
        payload = event.payload
        if payload is None:  # pragma: no cover - the caller checked
            raise ValueError("event has no payload")
        self._check_limits(payload)
        plaintext = payload.to_json_bytes()
        limit = self.options.limits.max_item_bytes
        if len(plaintext) > limit:
            raise LimitExceededError(
                f"{payload.kind} item is {len(plaintext)} bytes; the limit is {limit}"
            )
        item_id = f"{payload.kind.value}:{payload.name}:{event.header.message_id}"
        box = self.envelope.seal(plaintext, _aad(key, item_id, payload.kind))
        return StoredItem(key, device_id, item_id, payload.kind, box, now_ms + self.options.ttl_ms)

    def _check_limits(self, payload: Payload) -> None:
        limits = self.options.limits
        entries = payload.entries or ()
        if len(entries) > limits.max_list_entries:
            raise LimitExceededError(
                f"catalog {payload.name!r} has {len(entries)} entries;"
                f" the limit is {limits.max_list_entries}"
            )
        for entry in entries:
            if len(entry) > limits.max_entry_chars:
                raise LimitExceededError(
                    f"catalog {payload.name!r} has an entry of {len(entry)} characters;"
                    f" the limit is {limits.max_entry_chars}"
                )

    # -- reads -----------------------------------------------------------------------------

    def status(self, tenant_id: str, device_id: str, interaction_id: str) -> StatusEntry:
        """The unexpired status entry of a device's interaction (no decryption)."""
        key = InteractionKey(check_id(tenant_id, "tenant id"), check_id(interaction_id, "id"))
        entry = self.backend.get_status(key, self.clock.now_ms())
        if entry is None:
            raise UnknownInteractionError(
                f"interaction {interaction_id!r} is unknown or has expired"
            )
        if entry.device_id != device_id:
            # Same answer shape as a missing entry would give, but typed for the caller.
            raise ForeignInteractionError(
                f"interaction {interaction_id!r} belongs to another device"
            )
        return entry

    def load_context(self, tenant_id: str, device_id: str, interaction_id: str) -> StoredContext:
        """Decrypt an interaction's payload items: the only read that touches user content."""
        entry = self.status(tenant_id, device_id, interaction_id)
        now_ms = self.clock.now_ms()
        stored = {
            item.item_id: item for item in self.backend.get_items(entry.key, entry.item_ids, now_ms)
        }
        if entry.expired(self.clock.now_ms()):
            raise InteractionExpiredError(f"interaction {interaction_id!r} has expired")
        turns: list[Turn] = []
        catalogs: dict[str, tuple[str, ...]] = {}
        for record in entry.events:
            item = stored.get(record.item_id) if record.item_id else None
            if item is None:
                continue
            payload = self._open(item)
            if payload.kind is ItemKind.CATALOG:
                catalogs[payload.name] = payload.entries or ()
            elif payload.text is not None:
                turns.append(Turn(payload.name, payload.text, record.at_ms))
        return StoredContext(entry, tuple(turns), catalogs)

    def recent_interactions(self, tenant_id: str, device_id: str, limit: int) -> list[StatusEntry]:
        """A device's unexpired interactions, newest first."""
        check_id(tenant_id, "tenant id")
        check_id(device_id, "device id")
        return self.backend.list_interactions(tenant_id, device_id, self.clock.now_ms(), limit)

    def _open(self, item: StoredItem) -> Payload:
        plaintext = self.envelope.open(item.box, _aad(item.key, item.item_id, item.kind))
        return Payload.from_json_bytes(plaintext)

    # -- erasure and expiry ----------------------------------------------------------------

    def erase_device(self, tenant_id: str, device_id: str) -> int:
        deleted = self.backend.erase_device(
            check_id(tenant_id, "tenant id"), check_id(device_id, "device id")
        )
        logger.info("erased %d entries of one device", deleted)
        return deleted

    def erase_tenant(self, tenant_id: str) -> int:
        deleted = self.backend.erase_tenant(check_id(tenant_id, "tenant id"))
        logger.info("erased %d entries of one tenant", deleted)
        return deleted

    def sweep(self) -> int:
        return self.backend.sweep(self.clock.now_ms())

    def start_sweeper(self) -> None:
        """Delete expired entries in the background every ``options.sweep_interval_ms``."""
        if self._sweeper is None:
            self._sweeper = _Sweeper(self, self.options.sweep_interval_ms)
            self._sweeper.start()

    def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.stop()
            self._sweeper = None
        self.backend.close()


def _aad(key: InteractionKey, item_id: str, kind: ItemKind) -> dict[str, str]:
    """What a ciphertext is bound to: moved anywhere else, it fails to decrypt."""
    return {
        "tenant": key.tenant_id,
        "interaction": key.interaction_id,
        "item": item_id,
        "kind": kind.value,
    }


class _Sweeper(threading.Thread):
    def __init__(self, store: ContextStore, interval_ms: int) -> None:
        super().__init__(name="ctxasr-sweeper", daemon=True)
        self._store = store
        self._interval_s = interval_ms / 1000
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                self._store.sweep()
            except Exception:  # the sweeper must outlive a passing store failure
                logger.exception("sweep failed")

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=5)
