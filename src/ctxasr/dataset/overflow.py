"""A variant of a dev set whose catalogs overflow the prompt, for selection ablations.

A real assistant knows the user's whole address book and every device of a large home at every
turn, so selection must choose which few hundred tokens of entries the decoder sees. This writes
a copy of a manifest in which every item carries an address book of ``address_book`` people
(the item's own contacts included) and a smart home of ``devices`` devices (the item's own
included). Turns, references, entities and audio are the original's.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxasr.dataset.scenarios import Resources
from ctxasr.errors import ConfigError, InvalidInputError


@dataclass(frozen=True)
class OverflowOptions:
    source: Path  # manifest.jsonl to copy
    out: Path  # the new manifest (audio paths are rewritten relative to it)
    address_book: int = 1_500  # people in every item's contacts
    devices: int = 150  # devices in every item's smart home
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.address_book <= 5_000 or not 1 <= self.devices <= 5_000:
            raise ConfigError("address_book and devices must lie in [1, 5000]")


def write_overflow(options: OverflowOptions, data: Resources | None = None) -> int:
    """Write the enlarged manifest; returns the number of items written."""
    data = data or Resources.load()
    rng = random.Random(options.seed)
    people = data.full_names()
    devices = _all_devices(data)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with options.out.open("w", encoding="utf-8") as out:
        for number, line in enumerate(options.source.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"{options.source}:{number}: not JSON: {exc}") from exc
            item = _enlarged(item, options, rng, people, devices)
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            written += 1
    return written


def _enlarged(
    item: dict[str, Any],
    options: OverflowOptions,
    rng: random.Random,
    people: list[str],
    devices: list[str],
) -> dict[str, Any]:
    context = dict(item.get("context") or {})
    catalogs = dict(context.get("catalogs") or {})
    catalogs["contacts"] = _grown(catalogs.get("contacts", []), people, options.address_book, rng)
    catalogs["devices"] = _grown(catalogs.get("devices", []), devices, options.devices, rng)
    context["catalogs"] = catalogs
    audio = (options.source.parent / item["audio"]).resolve()
    return {
        **item,
        "audio": os.path.relpath(audio, options.out.parent.resolve()),
        "context": context,
        "tags": [*item.get("tags", []), "overflow"],
    }


def _grown(own: list[str], pool: list[str], size: int, rng: random.Random) -> list[str]:
    """``own`` plus entries of ``pool`` up to ``size``, shuffled (order must not give it away)."""
    known = set(own)
    extra = rng.sample([p for p in pool if p not in known], max(0, min(size, len(pool)) - len(own)))
    entries = [*own, *extra]
    rng.shuffle(entries)
    return entries


def _all_devices(data: Resources) -> list[str]:
    made = [
        f"{room} {kind}"
        for room in data.catalogs["rooms"]
        for kind in data.catalogs["device_kinds"]
    ]
    return list(dict.fromkeys([*data.catalogs["devices"], *made]))
