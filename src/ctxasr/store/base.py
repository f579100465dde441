"""The storage backend contract, and the rules every backend applies identically."""

from __future__ import annotations

from typing import Protocol

from ctxasr.errors import (
    CtxAsrError,
    ForeignInteractionError,
    InteractionExpiredError,
    LimitExceededError,
    UnknownInteractionError,
)
from ctxasr.store.model import AppendRequest, InteractionKey, StatusEntry, StoredItem


class StoreBackend(Protocol):
    """Role: persist status entries and sealed items, atomically per append; no crypto here."""

    def append(self, request: AppendRequest) -> StatusEntry:
        """Record one event (and its item) and return the *updated* status in one round trip."""
        ...

    def get_status(self, key: InteractionKey, now_ms: int) -> StatusEntry | None:
        """The status entry, or None when missing or expired (consistent read)."""
        ...

    def get_items(
        self, key: InteractionKey, item_ids: tuple[str, ...], now_ms: int
    ) -> list[StoredItem]:
        """The named, unexpired items of an interaction (order not guaranteed)."""
        ...

    def list_interactions(
        self, tenant_id: str, device_id: str, now_ms: int, limit: int
    ) -> list[StatusEntry]:
        """A device's unexpired interactions, newest first."""
        ...

    def erase_device(self, tenant_id: str, device_id: str) -> int:
        """Delete every entry of one device; return how many entries were deleted."""
        ...

    def erase_tenant(self, tenant_id: str) -> int:
        """Delete every entry of one tenant; return how many entries were deleted."""
        ...

    def sweep(self, now_ms: int) -> int:
        """Physically delete expired entries (a no-op where the database does it itself)."""
        ...

    def close(self) -> None: ...


def refusal(existing: StatusEntry | None, request: AppendRequest) -> CtxAsrError | None:
    """Why ``request`` may not be appended to ``existing`` (raw, maybe expired), or None."""
    if existing is None:
        if request.may_create:
            return None
        return UnknownInteractionError(
            f"interaction {request.key.interaction_id!r} is unknown; context signals need an"
            " interaction opened by a dialogue event"
        )
    if existing.device_id != request.device_id:
        return ForeignInteractionError(
            f"interaction {request.key.interaction_id!r} belongs to another device"
        )
    if existing.expired(request.now_ms):
        return InteractionExpiredError(f"interaction {request.key.interaction_id!r} has expired")
    limits = request.limits
    if len(existing.events) >= limits.max_events_per_interaction:
        return LimitExceededError(
            f"interaction already has {limits.max_events_per_interaction} events (the limit)"
        )
    if len(existing.item_ids) + request.item_increment > limits.max_items_per_interaction:
        return LimitExceededError(
            f"interaction already has {limits.max_items_per_interaction} payload items (the limit)"
        )
    return None


def appended(existing: StatusEntry | None, request: AppendRequest) -> StatusEntry:
    """The status entry after applying ``request`` (which ``refusal`` accepted)."""
    if existing is None:
        return StatusEntry(
            tenant_id=request.key.tenant_id,
            interaction_id=request.key.interaction_id,
            device_id=request.device_id,
            created_at_ms=request.now_ms,
            expires_at_ms=request.expires_at_ms,
            events=(request.record,),
        )
    return StatusEntry(
        tenant_id=existing.tenant_id,
        interaction_id=existing.interaction_id,
        device_id=existing.device_id,
        created_at_ms=existing.created_at_ms,
        expires_at_ms=existing.expires_at_ms,
        events=(*existing.events, request.record),
    )
