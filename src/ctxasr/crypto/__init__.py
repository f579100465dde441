"""Envelope encryption of payload items: a fresh data key per item, wrapped by a keyring."""

from ctxasr.crypto.envelope import CryptoCounters, Envelope, SealedBox
from ctxasr.crypto.keyring import (
    Keyring,
    KmsKeyring,
    LocalFileKeyring,
    StaticKeyring,
    WrappedKey,
)

__all__ = [
    "CryptoCounters",
    "Envelope",
    "Keyring",
    "KmsKeyring",
    "LocalFileKeyring",
    "SealedBox",
    "StaticKeyring",
    "WrappedKey",
]
