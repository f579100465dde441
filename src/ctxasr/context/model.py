"""The dialogue context of one utterance: previous turns and named catalogs, validated."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctxasr.errors import ConfigError, InvalidInputError, LimitExceededError
from ctxasr.events import CATALOG_NAME_PATTERN

ROLES = ("user", "assistant")


class InvalidContextError(InvalidInputError):
    """A context object does not have the shape of the manifest's ``context``."""


@dataclass(frozen=True)
class ContextLimits:
    max_catalogs: int = 64
    max_catalog_entries: int = 5_000  # per catalog
    max_entry_chars: int = 256
    max_turns: int = 64
    max_turn_chars: int = 4_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"ContextLimits.{name} must be a positive integer")


@dataclass(frozen=True)
class ContextTurn:
    role: str  # "user" or "assistant"
    text: str


@dataclass(frozen=True)
class Catalog:
    name: str  # any name: contacts, devices, places, screen, playlists...
    entries: tuple[str, ...]


@dataclass(frozen=True)
class DialogueContext:
    """Previous turns (oldest first) and catalogs known at the moment of the utterance."""

    turns: tuple[ContextTurn, ...] = ()
    catalogs: tuple[Catalog, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.turns and not any(c.entries for c in self.catalogs)

    @property
    def signal_names(self) -> tuple[str, ...]:
        """Names of the context signals present: ``turns`` and each catalog's name."""
        return (("turns",) if self.turns else ()) + tuple(c.name for c in self.catalogs)

    def only(self, signals: Iterable[str]) -> DialogueContext:
        """Keep only the named signals (``turns`` and/or catalog names): an ablation."""
        keep = set(signals)
        return DialogueContext(
            turns=self.turns if "turns" in keep else (),
            catalogs=tuple(c for c in self.catalogs if c.name in keep),
        )

    def last_turn(self, role: str) -> ContextTurn | None:
        return next((t for t in reversed(self.turns) if t.role == role), None)

    @classmethod
    def from_json(cls, obj: Any, limits: ContextLimits | None = None) -> DialogueContext:
        """Validate a manifest ``context`` object (unknown fields are ignored)."""
        limits = limits or ContextLimits()
        if obj is None:
            return cls()
        if not isinstance(obj, Mapping):
            raise InvalidContextError("context must be a JSON object")
        return cls(
            turns=_parse_turns(obj.get("turns", []), limits),
            catalogs=_parse_catalogs(obj.get("catalogs", {}), limits),
        )

    @classmethod
    def from_file(cls, path: str | Path, limits: ContextLimits | None = None) -> DialogueContext:
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InvalidContextError(f"cannot read context file {path}: {exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidContextError(f"context file {path} is not valid JSON: {exc}") from exc
        # Accept either the bare context object or a manifest line that holds one.
        if isinstance(body, Mapping) and "context" in body and "turns" not in body:
            body = body["context"]
        return cls.from_json(body, limits)


def _parse_turns(raw: Any, limits: ContextLimits) -> tuple[ContextTurn, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidContextError("context.turns must be a list")
    if len(raw) > limits.max_turns:
        raise LimitExceededError(f"context has {len(raw)} turns; the limit is {limits.max_turns}")
    turns = []
    for index, turn in enumerate(raw):
        where = f"context.turns[{index}]"
        if not isinstance(turn, Mapping):
            raise InvalidContextError(f"{where} must be an object with role and text")
        role, text = turn.get("role"), turn.get("text")
        if role not in ROLES:
            raise InvalidContextError(f"{where}.role must be 'user' or 'assistant'")
        if not isinstance(text, str):
            raise InvalidContextError(f"{where}.text must be a string")
        if len(text) > limits.max_turn_chars:
            raise LimitExceededError(f"{where}.text is longer than {limits.max_turn_chars} chars")
        turns.append(ContextTurn(role, text))
    return tuple(turns)


def _parse_catalogs(raw: Any, limits: ContextLimits) -> tuple[Catalog, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise InvalidContextError("context.catalogs must be an object of named lists")
    if len(raw) > limits.max_catalogs:
        raise LimitExceededError(
            f"context has {len(raw)} catalogs; the limit is {limits.max_catalogs}"
        )
    catalogs = []
    for name, entries in raw.items():
        if not CATALOG_NAME_PATTERN.match(name):
            raise InvalidContextError(f"catalog name {name[:40]!r} is not valid")
        catalogs.append(Catalog(name, _parse_entries(name, entries, limits)))
    return tuple(catalogs)


def _parse_entries(name: str, entries: Any, limits: ContextLimits) -> tuple[str, ...]:
    if not isinstance(entries, list) or not entries:
        raise InvalidContextError(f"catalog {name!r} must be a non-empty list of strings")
    if len(entries) > limits.max_catalog_entries:
        raise LimitExceededError(
            f"catalog {name!r} has {len(entries)} entries;"
            f" the limit is {limits.max_catalog_entries}"
        )
    cleaned = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, str) or not entry.strip():
            raise InvalidContextError(f"catalog {name!r} entry {index} must be a non-empty string")
        if len(entry) > limits.max_entry_chars:
            raise LimitExceededError(
                f"catalog {name!r} entry {index} is longer than {limits.max_entry_chars} chars"
            )
        cleaned.append(" ".join(entry.split()))
    return tuple(dict.fromkeys(cleaned))  # drop duplicates, keep order
