"""Keyrings: local key file (creation, permissions, rotation) and AWS KMS."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import boto3
import pytest

from ctxasr.clock import ManualClock
from ctxasr.crypto import Envelope, KmsKeyring, LocalFileKeyring, StaticKeyring
from ctxasr.errors import DecryptionError, KeyringError
from ctxasr.store import ContextStore, SqliteBackend
from tests.helpers import recognize

CONTEXT = {"tenant": "t", "interaction": "dr-1", "item": "utterance:user:m1", "kind": "utterance"}


def test_key_file_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ctxasr.keys"
    ring = LocalFileKeyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = LocalFileKeyring(path)
    assert again.current_key_id == ring.current_key_id
    box = Envelope(ring).seal(b"hello", CONTEXT)
    assert Envelope(again).open(box, CONTEXT) == b"hello"


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ctxasr.keys"
    LocalFileKeyring(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        LocalFileKeyring(path)


def test_malformed_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ctxasr.keys"
    path.write_text("{not json")
    os.chmod(path, 0o600)
    with pytest.raises(KeyringError, match="cannot read"):
        LocalFileKeyring(path)


def test_rotation_new_writes_use_new_key_old_entries_decrypt(tmp_path: Path) -> None:
    keys = tmp_path / "ctxasr.keys"
    ring = LocalFileKeyring(keys)
    store = ContextStore(SqliteBackend(tmp_path / "s.db"), Envelope(ring), clock=ManualClock())
    store.record("t", "d", recognize("dr-old", "before rotation"))
    old_key = ring.current_key_id
    new_key = ring.rotate()
    assert new_key != old_key
    store.record("t", "d", recognize("dr-new", "after rotation"))
    store.close()
    # A fresh process: keys come back from the file, the newest one current.
    reloaded = LocalFileKeyring(keys)
    assert reloaded.current_key_id == new_key
    store = ContextStore(SqliteBackend(tmp_path / "s.db"), Envelope(reloaded), clock=ManualClock())
    assert store.load_context("t", "d", "dr-old").turns[0].text == "before rotation"
    assert store.load_context("t", "d", "dr-new").turns[0].text == "after rotation"
    boxes = {
        item.item_id: item.box.key_id
        for iid in ("dr-old", "dr-new")
        for item in store.backend.get_items(
            store.status("t", "d", iid).key, store.status("t", "d", iid).item_ids, 0
        )
    }
    assert sorted(boxes.values()) == sorted([old_key, new_key])
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    store.close()


def test_wrong_context_fails_to_unwrap() -> None:
    envelope = Envelope(StaticKeyring())
    box = envelope.seal(b"secret", CONTEXT)
    with pytest.raises(DecryptionError):
        envelope.open(box, {**CONTEXT, "interaction": "dr-2"})
    with pytest.raises(DecryptionError):
        Envelope(StaticKeyring()).open(box, CONTEXT)  # another keyring's keys


def test_kms_keyring_round_trip_and_context_binding(moto_endpoint: str) -> None:
    client = boto3.client("kms", region_name="us-east-1", endpoint_url=moto_endpoint)
    key_id = client.create_key(Description="ctxasr test")["KeyMetadata"]["KeyId"]
    envelope = Envelope(KmsKeyring(key_id, client))
    box = envelope.seal(b"secret words", CONTEXT)
    assert b"secret words" not in box.ciphertext + box.wrapped_key
    assert envelope.open(box, CONTEXT) == b"secret words"
    with pytest.raises(DecryptionError):
        envelope.open(box, {**CONTEXT, "item": "reply:assistant:m9"})


def test_kms_unreachable_is_a_keyring_error() -> None:
    client = boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    ring = KmsKeyring("alias/none", client)
    with pytest.raises(KeyringError):
        ring.wrap(b"k" * 32, CONTEXT)
