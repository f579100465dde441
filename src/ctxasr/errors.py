"""The one exception tree of ctxasr.

Every error a caller can act on derives from :class:`CtxAsrError`. Backend errors (sqlite3,
botocore, cryptography) are translated at the module boundary with ``raise ... from exc`` so
callers never need to import a backend to handle a failure.

    CtxAsrError
    ├── InvalidInputError            bad input; nothing was written
    │   ├── InvalidEnvelopeError     malformed or incomplete AVS envelope
    │   ├── UnknownEventError        envelope names an event/directive we do not know
    │   └── LimitExceededError       an explicit size/count limit was hit
    ├── InteractionError             the interaction cannot take this write/read
    │   ├── UnknownInteractionError  no such interaction (or it was erased)
    │   ├── InteractionExpiredError  it exists but its expiry time has passed
    │   ├── ForeignInteractionError  it belongs to another device
    │   └── DuplicateItemError       a payload item is written once; this id exists
    ├── CryptoError                  encryption/decryption failed
    │   └── DecryptionError          wrong key, tampered or moved ciphertext
    ├── KeyringError                 key material missing, unreadable or unsafe
    ├── ConfigError                  options that do not fit together
    └── StoreUnavailableError        the backend could not be reached or failed
"""

from __future__ import annotations


class CtxAsrError(Exception):
    """Base of every ctxasr error."""


class InvalidInputError(CtxAsrError, ValueError):
    """The caller's input is invalid; nothing was stored."""


class InvalidEnvelopeError(InvalidInputError):
    """An AVS envelope is malformed: missing header fields, wrong types, bad ids."""


class UnknownEventError(InvalidInputError):
    """The envelope names an event or directive this deployment does not accept."""


class LimitExceededError(InvalidInputError):
    """An explicit limit (item size, items per interaction, list entries...) was exceeded."""


class InteractionError(CtxAsrError):
    """The addressed interaction cannot accept this operation."""


class UnknownInteractionError(InteractionError, LookupError):
    """No interaction with that id exists for this tenant."""


class InteractionExpiredError(InteractionError):
    """The interaction exists but has expired (even if not yet physically deleted)."""


class ForeignInteractionError(InteractionError):
    """The interaction belongs to another device."""


class DuplicateItemError(InteractionError):
    """Payload items are written once; an item with this id already exists."""


class CryptoError(CtxAsrError):
    """An encryption operation failed."""


class DecryptionError(CryptoError):
    """A ciphertext could not be authenticated: wrong key, tampering, or moved to another entry."""


class KeyringError(CtxAsrError):
    """Key material is missing, unreadable, malformed or stored unsafely."""


class ConfigError(CtxAsrError, ValueError):
    """Options do not fit together."""


class StoreUnavailableError(CtxAsrError):
    """The storage backend failed or could not be reached."""
