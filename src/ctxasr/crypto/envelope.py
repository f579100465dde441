"""Envelope encryption: each item gets its own AES-256-GCM data key, wrapped by the keyring.

Why per-item keys: an item is encrypted once when written and decrypted only when a context is
built, and rotation of the key-encryption key never needs the items to be re-encrypted.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ctxasr.crypto.keyring import (
    KEY_BYTES,
    Keyring,
    WrappedKey,
    aead_open,
    aead_seal,
    context_bytes,
)


@dataclass(frozen=True)
class SealedBox:
    """An encrypted item as stored: nothing here reveals the plaintext."""

    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


class CryptoCounters:
    """Counts cryptographic operations (benchmarks and tests read them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.encrypts = 0  # items sealed (one content encryption + one key wrap each)
        self.decrypts = 0  # items opened (one key unwrap + one content decryption each)
        self.bytes = 0  # plaintext bytes encrypted or decrypted

    def add(self, encrypts: int = 0, decrypts: int = 0, nbytes: int = 0) -> None:
        with self._lock:
            self.encrypts += encrypts
            self.decrypts += decrypts
            self.bytes += nbytes

    @property
    def total(self) -> int:
        return self.encrypts + self.decrypts


class Envelope:
    """Seals and opens items; the encryption context is bound as associated data."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self.counters = CryptoCounters()

    def seal(self, plaintext: bytes, context: Mapping[str, str]) -> SealedBox:
        data_key = AESGCM.generate_key(bit_length=8 * KEY_BYTES)
        nonce, ciphertext = aead_seal(data_key, plaintext, context_bytes(context))
        wrapped = self.keyring.wrap(data_key, context)
        self.counters.add(encrypts=1, nbytes=len(plaintext))
        return SealedBox(wrapped.key_id, wrapped.blob, nonce, ciphertext)

    def open(self, box: SealedBox, context: Mapping[str, str]) -> bytes:
        data_key = self.keyring.unwrap(WrappedKey(box.key_id, box.wrapped_key), context)
        plaintext = aead_open(data_key, box.nonce, box.ciphertext, context_bytes(context))
        self.counters.add(decrypts=1, nbytes=len(plaintext))
        return plaintext
