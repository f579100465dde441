"""The context store: status entries + encrypted payload items, expiring, on three backends."""

from ctxasr.store.base import StoreBackend
from ctxasr.store.context_store import AppendResult, ContextStore, StoredContext, Turn
from ctxasr.store.memory import MemoryBackend
from ctxasr.store.model import (
    EventRecord,
    InteractionKey,
    StatusEntry,
    StoreLimits,
    StoreOptions,
)
from ctxasr.store.sqlite import SqliteBackend
from ctxasr.store.trigger import Action, TriggerDecision, decide

__all__ = [
    "Action",
    "AppendResult",
    "ContextStore",
    "EventRecord",
    "InteractionKey",
    "MemoryBackend",
    "SqliteBackend",
    "StatusEntry",
    "StoreBackend",
    "StoreLimits",
    "StoreOptions",
    "StoredContext",
    "TriggerDecision",
    "Turn",
    "decide",
]
