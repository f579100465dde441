"""Typed values of the context store: options, status entries, event records, stored items."""

from __future__ import annotations

from dataclasses import dataclass, field

from ctxasr.crypto import SealedBox
from ctxasr.errors import ConfigError, InvalidInputError
from ctxasr.events import ItemKind

_SEP = "|"


@dataclass(frozen=True)
class StoreLimits:
    """Explicit bounds on what one interaction may hold; each violation is a clear error."""

    max_item_bytes: int = 64 * 1024  # plaintext bytes of one payload item (JSON-encoded)
    max_items_per_interaction: int = 32  # payload items referenced by one status entry
    max_events_per_interaction: int = 128  # event strings in one status entry
    max_list_entries: int = 5_000  # entries in one catalog
    max_entry_chars: int = 256  # characters in one catalog entry

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"StoreLimits.{name} must be a positive integer")


@dataclass(frozen=True)
class StoreOptions:
    """How the context store behaves, whatever the backend."""

    # Expiry: every status entry and item is deleted this long after the interaction began.
    ttl_ms: int = 10 * 60 * 1000
    # How often the embedded backend physically deletes expired entries (reads never see them).
    sweep_interval_ms: int = 60 * 1000
    limits: StoreLimits = field(default_factory=StoreLimits)

    def __post_init__(self) -> None:
        if self.ttl_ms < 1_000:
            raise ConfigError("StoreOptions.ttl_ms must be at least 1000 ms")
        if self.sweep_interval_ms < 10:
            raise ConfigError("StoreOptions.sweep_interval_ms must be at least 10 ms")


@dataclass(frozen=True)
class InteractionKey:
    tenant_id: str
    interaction_id: str  # the AVS dialogRequestId


@dataclass(frozen=True)
class EventRecord:
    """One entry of the status log, stored as a short string: no user content, ever."""

    at_ms: int
    name: str  # "Namespace.Name"
    item_id: str | None = None  # the payload item this event wrote, if any
    arg_ms: int | None = None  # Speak: playback duration; ExpectSpeech: mic timeout

    def encode(self) -> str:
        arg = "" if self.arg_ms is None else str(self.arg_ms)
        return _SEP.join((str(self.at_ms), self.name, self.item_id or "", arg))

    @classmethod
    def decode(cls, text: str) -> EventRecord:
        try:
            at_ms, name, item_id, arg = text.split(_SEP)
            return cls(int(at_ms), name, item_id or None, int(arg) if arg else None)
        except ValueError as exc:
            raise InvalidInputError(f"corrupt event record {text[:60]!r}") from exc


@dataclass(frozen=True)
class StatusEntry:
    """The status of one interaction: the event log plus references to payload items."""

    tenant_id: str
    interaction_id: str
    device_id: str
    created_at_ms: int
    expires_at_ms: int
    events: tuple[EventRecord, ...]

    @property
    def key(self) -> InteractionKey:
        return InteractionKey(self.tenant_id, self.interaction_id)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(e.item_id for e in self.events if e.item_id)

    def expired(self, now_ms: int) -> bool:
        return now_ms >= self.expires_at_ms


@dataclass(frozen=True)
class StoredItem:
    """One payload item as persisted: sealed, bound to its entry by the encryption context."""

    key: InteractionKey
    device_id: str
    item_id: str
    kind: ItemKind
    box: SealedBox
    expires_at_ms: int


@dataclass(frozen=True)
class AppendRequest:
    """Everything a backend needs to append atomically; computed by the ``ContextStore``."""

    key: InteractionKey
    device_id: str
    record: EventRecord
    item: StoredItem | None
    now_ms: int
    expires_at_ms: int  # used only when this append creates the interaction
    may_create: bool  # dialogue events open interactions; context signals need one open
    limits: StoreLimits

    @property
    def item_increment(self) -> int:
        return 0 if self.item is None else 1
