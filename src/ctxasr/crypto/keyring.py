"""Keyrings hold key-encryption keys (KEKs) and wrap/unwrap per-item data keys.

Every wrap binds an *encryption context* (tenant, interaction, item, kind) as associated data,
so a wrapped key copied to another entry does not unwrap.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import stat
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ctxasr.errors import DecryptionError, KeyringError

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

logger = logging.getLogger(__name__)

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce


@dataclass(frozen=True)
class WrappedKey:
    key_id: str  # which KEK wrapped it, so old entries decrypt after rotation
    blob: bytes


class Keyring(Protocol):
    """Role: wrap a data key under the newest KEK, unwrap it under whichever KEK wrapped it."""

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> WrappedKey: ...

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes: ...


def context_bytes(context: Mapping[str, str]) -> bytes:
    """Canonical byte form of an encryption context, used as AES-GCM associated data."""
    return json.dumps(dict(sorted(context.items())), separators=(",", ":")).encode("utf-8")


def aead_seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def aead_open(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication (wrong key or entry)") from exc
    except ValueError as exc:  # malformed nonce/key sizes in a corrupted entry
        raise DecryptionError(f"malformed ciphertext: {exc}") from exc


class StaticKeyring:
    """In-memory KEKs: for tests and benchmarks. The last key added is the current one."""

    def __init__(self, keys: Mapping[str, bytes] | None = None) -> None:
        self._keys: dict[str, bytes] = dict(keys or {})
        self._current = next(reversed(self._keys), None) if self._keys else None
        self._lock = threading.Lock()
        if self._current is None:
            self.rotate()

    @property
    def current_key_id(self) -> str:
        if self._current is None:  # pragma: no cover - constructor always sets one
            raise KeyringError("keyring has no key")
        return self._current

    def rotate(self) -> str:
        """Add a new KEK and make it current; older KEKs stay for unwrapping."""
        key_id = f"k{len(self._keys) + 1}-{secrets.token_hex(4)}"
        with self._lock:
            self._keys[key_id] = AESGCM.generate_key(bit_length=8 * KEY_BYTES)
            self._current = key_id
        return key_id

    def export(self) -> tuple[dict[str, bytes], str]:
        """A copy of the keys and the current key id (for persisting them)."""
        with self._lock:
            return dict(self._keys), self.current_key_id

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> WrappedKey:
        key_id = self.current_key_id
        nonce, blob = aead_seal(self._keys[key_id], data_key, context_bytes(context))
        return WrappedKey(key_id, nonce + blob)

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
        kek = self._keys.get(wrapped.key_id)
        if kek is None:
            raise DecryptionError(f"unknown key id {wrapped.key_id!r}")
        nonce, blob = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        return aead_open(kek, nonce, blob, context_bytes(context))


class LocalFileKeyring:
    """KEKs kept in a JSON key file, created on first start with owner-only permissions.

    The default keyring. ``rotate()`` adds a new key and rewrites the file atomically; the
    older keys stay so that existing entries still decrypt.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists():
            self._ring = StaticKeyring(self._load())
            return
        self._ring = StaticKeyring()
        try:
            self._save(exclusive=True)
            logger.info("created key file %s", self.path)
        except FileExistsError:  # another process created it first: use theirs
            self._ring = StaticKeyring(self._load())

    @property
    def current_key_id(self) -> str:
        return self._ring.current_key_id

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> WrappedKey:
        return self._ring.wrap(data_key, context)

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
        return self._ring.unwrap(wrapped, context)

    def rotate(self) -> str:
        key_id = self._ring.rotate()
        self._save(exclusive=False)
        logger.info("rotated key file %s: new key %s", self.path, key_id)
        return key_id

    def _load(self) -> dict[str, bytes]:
        try:
            mode = self.path.stat().st_mode
            body = json.loads(self.path.read_text(encoding="utf-8"))
            keys = {kid: base64.b64decode(k) for kid, k in body["keys"].items()}
            current = body["current"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"cannot read key file {self.path}: {exc}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(
                f"key file {self.path} is accessible by others (mode {oct(mode & 0o777)});"
                " run chmod 600 on it"
            )
        if current not in keys or any(len(k) != KEY_BYTES for k in keys.values()):
            raise KeyringError(f"key file {self.path} is malformed")
        keys[current] = keys.pop(current)  # the current key last: StaticKeyring's convention
        return keys

    def _save(self, exclusive: bool) -> None:
        keys, current = self._ring.export()
        body: dict[str, Any] = {
            "version": 1,
            "current": current,
            "keys": {kid: base64.b64encode(k).decode() for kid, k in keys.items()},
        }
        data = json.dumps(body).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if exclusive:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return
        tmp = self.path.with_name(self.path.name + f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, self.path)  # atomic: readers see the old or the new file, never half


class KmsKeyring:
    """KEK held in AWS KMS: data keys are wrapped with ``Encrypt`` under an encryption context.

    The context is checked by KMS on ``Decrypt``, which gives the same binding as the local
    keyring's associated data. Rotation is KMS's own (automatic key rotation keeps old backing
    keys), so nothing here changes on rotation.
    """

    def __init__(self, key_id: str, client: KMSClient) -> None:
        self.key_id = key_id
        self._client = client

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> WrappedKey:
        try:
            reply = self._client.encrypt(
                KeyId=self.key_id, Plaintext=data_key, EncryptionContext=dict(context)
            )
        except Exception as exc:  # botocore ClientError / connection errors
            raise KeyringError(f"KMS encrypt failed: {exc}") from exc
        return WrappedKey(reply["KeyId"], reply["CiphertextBlob"])

    def unwrap(self, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
        try:
            reply = self._client.decrypt(
                CiphertextBlob=wrapped.blob, EncryptionContext=dict(context)
            )
        except Exception as exc:
            name = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if name in {"InvalidCiphertextException", "IncorrectKeyException"}:
                raise DecryptionError(f"KMS refused to decrypt: {name}") from exc
            raise KeyringError(f"KMS decrypt failed: {exc}") from exc
        return reply["Plaintext"]
