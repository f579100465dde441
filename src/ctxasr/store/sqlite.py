"""SQLite backend: the embedded default. One file, WAL mode, one connection per thread.

An append is one ``BEGIN IMMEDIATE`` transaction: an upsert of the status entry whose
``RETURNING`` clause hands back the updated entry, plus the insert of the payload item. Either
both are written or neither.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ctxasr.crypto import SealedBox
from ctxasr.errors import DuplicateItemError, StoreUnavailableError
from ctxasr.events import ItemKind
from ctxasr.store.base import refusal
from ctxasr.store.model import (
    AppendRequest,
    EventRecord,
    InteractionKey,
    StatusEntry,
    StoredItem,
)

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS status (
    tenant_id      TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    device_id      TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    events         TEXT    NOT NULL,  -- JSON array of short event strings, no user content
    item_count     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS status_by_device ON status (tenant_id, device_id, created_at_ms);
CREATE INDEX IF NOT EXISTS status_by_expiry ON status (expires_at_ms);
CREATE TABLE IF NOT EXISTS items (
    tenant_id      TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    item_id        TEXT    NOT NULL,
    device_id      TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    key_id         TEXT    NOT NULL,
    wrapped_key    BLOB    NOT NULL,
    nonce          BLOB    NOT NULL,
    ciphertext     BLOB    NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_device ON items (tenant_id, device_id);
CREATE INDEX IF NOT EXISTS items_by_expiry ON items (expires_at_ms);
"""

_STATUS_COLUMNS = "tenant_id, interaction_id, device_id, created_at_ms, expires_at_ms, events"

# Both statements append only when the entry belongs to the device, is unexpired and within
# its limits; when they return no row, the transaction reads the entry to say why.
UPSERT_STATUS = f"""
INSERT INTO status (tenant_id, interaction_id, device_id, created_at_ms, expires_at_ms,
                    events, item_count)
VALUES (:tenant, :interaction, :device, :now, :expires, json_array(:event), :inc)
ON CONFLICT (tenant_id, interaction_id) DO UPDATE SET
    events = json_insert(status.events, '$[#]', :event),
    item_count = status.item_count + :inc
WHERE status.device_id = :device AND status.expires_at_ms > :now
    AND json_array_length(status.events) < :max_events
    AND status.item_count + :inc <= :max_items
RETURNING {_STATUS_COLUMNS}
"""

UPDATE_STATUS = f"""
UPDATE status SET events = json_insert(events, '$[#]', :event), item_count = item_count + :inc
WHERE tenant_id = :tenant AND interaction_id = :interaction
    AND device_id = :device AND expires_at_ms > :now
    AND json_array_length(events) < :max_events
    AND item_count + :inc <= :max_items
RETURNING {_STATUS_COLUMNS}
"""

INSERT_ITEM = """
INSERT INTO items (tenant_id, interaction_id, item_id, device_id, kind, key_id, wrapped_key,
                   nonce, ciphertext, expires_at_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


class SqliteBackend:
    """Context store tables in one SQLite file (WAL journal, safe for threads and processes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn().executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailableError(f"cannot open SQLite store {self.path}: {exc}") from exc

    # -- the contract --------------------------------------------------------------------

    def append(self, request: AppendRequest) -> StatusEntry:
        sql = UPSERT_STATUS if request.may_create else UPDATE_STATUS
        with self._transaction() as conn:
            row = conn.execute(sql, _append_params(request)).fetchone()
            if row is None:
                existing = self._raw_status(conn, request.key)
                raise refusal(existing, request) or StoreUnavailableError("append refused")
            if request.item is not None:
                self._insert_item(conn, request.item)
            return _status_from_row(row)

    def get_status(self, key: InteractionKey, now_ms: int) -> StatusEntry | None:
        with self._errors():
            entry = self._raw_status(self._conn(), key)
        return None if entry is None or entry.expired(now_ms) else entry

    def get_items(
        self, key: InteractionKey, item_ids: tuple[str, ...], now_ms: int
    ) -> list[StoredItem]:
        if not item_ids:
            return []
        marks = ",".join("?" * len(item_ids))
        sql = (
            "SELECT interaction_id, item_id, device_id, kind, key_id, wrapped_key, nonce,"
            " ciphertext, expires_at_ms FROM items WHERE tenant_id = ? AND interaction_id = ?"
            f" AND expires_at_ms > ? AND item_id IN ({marks})"
        )
        with self._errors():
            rows = (
                self._conn()
                .execute(sql, (key.tenant_id, key.interaction_id, now_ms, *item_ids))
                .fetchall()
            )
        return [_item_from_row(key.tenant_id, row) for row in rows]

    def list_interactions(
        self, tenant_id: str, device_id: str, now_ms: int, limit: int
    ) -> list[StatusEntry]:
        sql = (
            f"SELECT {_STATUS_COLUMNS} FROM status WHERE tenant_id = ? AND device_id = ?"
            " AND expires_at_ms > ? ORDER BY created_at_ms DESC LIMIT ?"
        )
        with self._errors():
            rows = self._conn().execute(sql, (tenant_id, device_id, now_ms, limit)).fetchall()
        return [_status_from_row(row) for row in rows]

    def erase_device(self, tenant_id: str, device_id: str) -> int:
        where = "WHERE tenant_id = ? AND device_id = ?"
        return self._delete(where, (tenant_id, device_id))

    def erase_tenant(self, tenant_id: str) -> int:
        return self._delete("WHERE tenant_id = ?", (tenant_id,))

    def sweep(self, now_ms: int) -> int:
        deleted = self._delete("WHERE expires_at_ms <= ?", (now_ms,))
        if deleted:
            logger.debug("swept %d expired entries", deleted)
        return deleted

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- helpers ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite store failed: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no lost updates
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        with self._errors():
            conn.execute("COMMIT")

    def _raw_status(self, conn: sqlite3.Connection, key: InteractionKey) -> StatusEntry | None:
        row = conn.execute(
            f"SELECT {_STATUS_COLUMNS} FROM status WHERE tenant_id = ? AND interaction_id = ?",
            (key.tenant_id, key.interaction_id),
        ).fetchone()
        return None if row is None else _status_from_row(row)

    def _insert_item(self, conn: sqlite3.Connection, item: StoredItem) -> None:
        box = item.box
        try:
            conn.execute(
                INSERT_ITEM,
                (
                    item.key.tenant_id,
                    item.key.interaction_id,
                    item.item_id,
                    item.device_id,
                    item.kind.value,
                    box.key_id,
                    box.wrapped_key,
                    box.nonce,
                    box.ciphertext,
                    item.expires_at_ms,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateItemError(f"item {item.item_id!r} already exists") from exc
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite store failed: {exc}") from exc

    def _delete(self, where: str, params: tuple[Any, ...]) -> int:
        with self._transaction() as conn:
            items = conn.execute(f"DELETE FROM items {where}", params).rowcount
            status = conn.execute(f"DELETE FROM status {where}", params).rowcount
        return int(items) + int(status)


def _append_params(request: AppendRequest) -> dict[str, Any]:
    return {
        "tenant": request.key.tenant_id,
        "interaction": request.key.interaction_id,
        "device": request.device_id,
        "now": request.now_ms,
        "expires": request.expires_at_ms,
        "event": request.record.encode(),
        "inc": request.item_increment,
        "max_events": request.limits.max_events_per_interaction,
        "max_items": request.limits.max_items_per_interaction,
    }


def _status_from_row(row: tuple[Any, ...]) -> StatusEntry:
    tenant_id, interaction_id, device_id, created_at_ms, expires_at_ms, events = row
    return StatusEntry(
        tenant_id=tenant_id,
        interaction_id=interaction_id,
        device_id=device_id,
        created_at_ms=created_at_ms,
        expires_at_ms=expires_at_ms,
        events=tuple(EventRecord.decode(text) for text in json.loads(events)),
    )


def _item_from_row(tenant_id: str, row: tuple[Any, ...]) -> StoredItem:
    interaction_id, item_id, device_id, kind, key_id, wrapped, nonce, ciphertext, expires = row
    return StoredItem(
        key=InteractionKey(tenant_id, interaction_id),
        device_id=device_id,
        item_id=item_id,
        kind=ItemKind(kind),
        box=SealedBox(key_id, bytes(wrapped), bytes(nonce), bytes(ciphertext)),
        expires_at_ms=expires,
    )
