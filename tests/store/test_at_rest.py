"""What lies in the raw storage: no user content in clear, and ciphertexts bound to entries."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from ctxasr.clock import ManualClock
from ctxasr.crypto import Envelope, StaticKeyring
from ctxasr.errors import DecryptionError
from ctxasr.store import ContextStore, SqliteBackend
from ctxasr.store.dynamodb import DynamoDbBackend, DynamoDbOptions
from tests.conftest import dynamodb_client
from tests.helpers import catalog, expect_speech, recognize, speak

SECRETS = ["Zanzibar-Quokka-7731", "Meg Bauer-Xylophone", "Okafor-Secret-Contact"]
T, D = "tenant-a", "device-1"


def _write_secrets(store: ContextStore) -> None:
    store.record(T, D, recognize("dr-1", f"Call {SECRETS[0]}."))
    store.record(T, D, catalog("dr-1", "contacts", [SECRETS[1], SECRETS[2]]))
    store.record(T, D, speak("dr-1", f"Do you mean {SECRETS[1]}?"))
    store.record(T, D, expect_speech("dr-1"))


def _assert_no_secret(raw: bytes) -> None:
    for secret in SECRETS:
        for word in secret.split("-"):
            assert word.encode() not in raw, f"{word!r} found in raw storage"
            assert word.encode("utf-16-le") not in raw


def test_sqlite_file_holds_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "ctx.sqlite3"
    store = ContextStore(SqliteBackend(path), Envelope(StaticKeyring()), clock=ManualClock())
    _write_secrets(store)
    assert store.load_context(T, D, "dr-1").turns[0].text == f"Call {SECRETS[0]}."
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # db, -wal and -shm files
    assert b"SpeechSynthesizer.Speak" in raw  # the status entry is there, in clear
    _assert_no_secret(raw)
    store.close()


def test_dynamodb_items_hold_no_plaintext(dynalite_endpoint: str) -> None:
    client = dynamodb_client(dynalite_endpoint)
    backend = DynamoDbBackend(
        client, DynamoDbOptions(f"t{uuid.uuid4().hex[:10]}", endpoint_url=dynalite_endpoint)
    )
    store = ContextStore(backend, Envelope(StaticKeyring()), clock=ManualClock())
    _write_secrets(store)
    assert store.load_context(T, D, "dr-1").catalogs["contacts"][0] == SECRETS[1]
    raw = b""
    for table in (backend.status_table, backend.items_table):
        for item in client.scan(TableName=table)["Items"]:
            raw += repr(item).encode()
    assert b"ExpectSpeech" in raw
    _assert_no_secret(raw)
    store.close()


def test_ciphertext_moved_to_another_entry_fails(tmp_path: Path) -> None:
    path = tmp_path / "ctx.sqlite3"
    store = ContextStore(SqliteBackend(path), Envelope(StaticKeyring()), clock=ManualClock())
    store.record(T, D, recognize("dr-1", "first secret"))
    store.record(T, D, recognize("dr-2", "second secret"))
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT interaction_id, key_id, wrapped_key, nonce, ciphertext FROM items"
            " ORDER BY interaction_id"
        ).fetchall()
        _, key_id, wrapped, nonce, ciphertext = rows[0]
        conn.execute(  # copy dr-1's sealed item over dr-2's
            "UPDATE items SET key_id = ?, wrapped_key = ?, nonce = ?, ciphertext = ?"
            " WHERE interaction_id = 'dr-2'",
            (key_id, wrapped, nonce, ciphertext),
        )
    assert store.load_context(T, D, "dr-1").turns[0].text == "first secret"
    with pytest.raises(DecryptionError):
        store.load_context(T, D, "dr-2")
    store.close()


def test_tampered_ciphertext_fails(tmp_path: Path) -> None:
    path = tmp_path / "ctx.sqlite3"
    store = ContextStore(SqliteBackend(path), Envelope(StaticKeyring()), clock=ManualClock())
    store.record(T, D, recognize("dr-1", "secret"))
    with sqlite3.connect(path) as conn:
        (ciphertext,) = conn.execute("SELECT ciphertext FROM items").fetchone()
        flipped = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
        conn.execute("UPDATE items SET ciphertext = ?", (flipped,))
    with pytest.raises(DecryptionError):
        store.load_context(T, D, "dr-1")
    store.close()


def test_dynamodb_tables_are_created_with_ttl(moto_endpoint: str) -> None:
    client = dynamodb_client(moto_endpoint)
    backend = DynamoDbBackend(
        client, DynamoDbOptions(f"t{uuid.uuid4().hex[:10]}", endpoint_url=moto_endpoint)
    )
    for table in (backend.status_table, backend.items_table):
        ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == "expires_at"
        assert ttl["TimeToLiveStatus"] in {"ENABLED", "ENABLING"}
        described = client.describe_table(TableName=table)["Table"]
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
