"""Reading a dialogue manifest v1 (``shared/spec/dialogue-manifest.md``) exactly as specified.

Unknown fields are ignored. A broken line or a missing audio file is reported with its line
number; the rest of the set still runs unless the caller is strict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxasr.context import DialogueContext
from ctxasr.errors import CtxAsrError, InvalidInputError


class ManifestError(InvalidInputError):
    """The manifest cannot be read, or (strict mode) one of its lines is bad."""


@dataclass(frozen=True)
class ManifestItem:
    line: int
    id: str
    audio: Path
    reference: str
    entities: tuple[str, ...]
    context: DialogueContext
    tags: tuple[str, ...]

    @property
    def slice(self) -> str:
        return self.tags[0] if self.tags else "untagged"

    @property
    def followup(self) -> bool:
        return "follow-up" in self.tags

    @property
    def distractor(self) -> bool:
        return "distractor" in self.tags

    @property
    def catalog_entries(self) -> tuple[str, ...]:
        return tuple(e for c in self.context.catalogs for e in c.entries)


@dataclass(frozen=True)
class ManifestProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def read_manifest(
    path: Path, strict: bool = False
) -> tuple[list[ManifestItem], list[ManifestProblem]]:
    """Items of the manifest and the problems of the lines that could not be used."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from exc
    items: list[ManifestItem] = []
    problems: list[ManifestProblem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _parse_line(line, number, path.parent, seen)
        except (CtxAsrError, ValueError) as exc:
            problem = ManifestProblem(number, str(exc))
            if strict:
                raise ManifestError(str(problem)) from exc
            problems.append(problem)
            continue
        seen.add(item.id)
        items.append(item)
    return items, problems


def _parse_line(line: str, number: int, root: Path, seen: set[str]) -> ManifestItem:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not valid JSON ({exc.msg})") from exc
    if not isinstance(row, Mapping):
        raise ManifestError("a line must be a JSON object")
    item_id = _string(row, "id")
    if item_id in seen:
        raise ManifestError(f"id {item_id!r} appears twice")
    audio = root / _string(row, "audio")
    if not audio.is_file():
        raise ManifestError(f"audio file {audio} is missing")
    reference = _string(row, "reference", allow_empty=True)
    return ManifestItem(
        line=number,
        id=item_id,
        audio=audio,
        reference=reference,
        entities=_strings(row, "entities"),
        context=DialogueContext.from_json(row.get("context")),
        tags=_strings(row, "tags"),
    )


def _string(row: Mapping[str, Any], key: str, allow_empty: bool = False) -> str:
    value = row.get(key)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise ManifestError(f"'{key}' must be a non-empty string")
    return value


def _strings(row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"'{key}' must be a list of strings")
    return tuple(value)
