"""In-memory backend: the reference implementation of the contract, for unit tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ctxasr.errors import DuplicateItemError
from ctxasr.store.base import appended, refusal
from ctxasr.store.model import AppendRequest, InteractionKey, StatusEntry, StoredItem

_Match = Callable[[str, str], bool]  # (tenant_id, device_id) -> erase it?


class MemoryBackend:
    """Dictionaries behind one lock. Same semantics as the real backends, no persistence."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: dict[InteractionKey, StatusEntry] = {}
        self._items: dict[tuple[InteractionKey, str], StoredItem] = {}

    def append(self, request: AppendRequest) -> StatusEntry:
        with self._lock:
            existing = self._status.get(request.key)
            error = refusal(existing, request)
            if error is not None:
                raise error
            item = request.item
            if item is not None:
                if (request.key, item.item_id) in self._items:
                    raise DuplicateItemError(f"item {item.item_id!r} already exists")
                self._items[(request.key, item.item_id)] = item
            updated = appended(existing, request)
            self._status[request.key] = updated
            return updated

    def get_status(self, key: InteractionKey, now_ms: int) -> StatusEntry | None:
        with self._lock:
            entry = self._status.get(key)
        return None if entry is None or entry.expired(now_ms) else entry

    def get_items(
        self, key: InteractionKey, item_ids: tuple[str, ...], now_ms: int
    ) -> list[StoredItem]:
        with self._lock:
            found = [self._items.get((key, item_id)) for item_id in item_ids]
        return [item for item in found if item is not None and now_ms < item.expires_at_ms]

    def list_interactions(
        self, tenant_id: str, device_id: str, now_ms: int, limit: int
    ) -> list[StatusEntry]:
        with self._lock:
            entries = [
                e
                for e in self._status.values()
                if e.tenant_id == tenant_id and e.device_id == device_id and not e.expired(now_ms)
            ]
        entries.sort(key=lambda e: e.created_at_ms, reverse=True)
        return entries[:limit]

    def erase_device(self, tenant_id: str, device_id: str) -> int:
        return self._erase(lambda t, d: t == tenant_id and d == device_id)

    def erase_tenant(self, tenant_id: str) -> int:
        return self._erase(lambda t, d: t == tenant_id)

    def sweep(self, now_ms: int) -> int:
        with self._lock:
            dead_status = [k for k, e in self._status.items() if e.expired(now_ms)]
            dead_items = [k for k, i in self._items.items() if now_ms >= i.expires_at_ms]
            for key in dead_status:
                del self._status[key]
            for item_key in dead_items:
                del self._items[item_key]
        return len(dead_status) + len(dead_items)

    def close(self) -> None:
        pass

    def _erase(self, match: _Match) -> int:
        with self._lock:
            dead_status = [k for k, e in self._status.items() if match(k.tenant_id, e.device_id)]
            dead_items = [k for k, i in self._items.items() if match(k[0].tenant_id, i.device_id)]
            for key in dead_status:
                del self._status[key]
            for item_key in dead_items:
                del self._items[item_key]
        return len(dead_status) + len(dead_items)
