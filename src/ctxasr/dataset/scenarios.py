"""Dialogue scenarios as text: the turns, catalogs, reference and entities of each item.

Seeded and pure, so the same seed always gives the same set. Names and templates live in
``ctxasr/data/dataset/*.json``; this module only combines them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# Share of each scenario in a generated set; the first tag of an item names its scenario.
MIX: dict[str, float] = {
    "contacts": 0.17,
    "devices": 0.12,
    "places": 0.12,
    "screen": 0.10,
    "phonetic": 0.07,
    "large": 0.07,
    "confusable": 0.20,
    "unrelated": 0.15,
}
DISTRACTORS = frozenset({"confusable", "unrelated"})


@dataclass(frozen=True)
class Scripted:
    """One manifest item before it is voiced."""

    id: str
    reference: str
    entities: tuple[str, ...]
    context: dict[str, Any]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Resources:
    names: dict[str, Any] = field(default_factory=dict)
    catalogs: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Resources:
        folder = resources.files("ctxasr.data").joinpath("dataset")
        read = {
            n: json.loads(folder.joinpath(f"{n}.json").read_text())
            for n in ("names", "catalogs", "templates")
        }
        return cls(read["names"], read["catalogs"], read["templates"])

    def full_names(self) -> list[str]:
        """Every "First Last" pair of the name lists, first names outermost."""
        return [f"{first} {last}" for first in self.names["first"] for last in self.names["last"]]


class ScenarioWriter:
    """Writes the text of items, one scenario at a time, from a seeded generator."""

    def __init__(self, seed: int, data: Resources | None = None) -> None:
        self.rng = random.Random(seed)
        self.data = data or Resources.load()

    def items(self, size: int) -> list[Scripted]:
        kinds = self.rng.choices(list(MIX), weights=list(MIX.values()), k=size)
        return [self.item(f"d{n:05d}", kind) for n, kind in enumerate(kinds)]

    def item(self, item_id: str, kind: str) -> Scripted:
        reference, entities, context = getattr(self, f"_{kind}")()
        tags = (kind, "distractor" if kind in DISTRACTORS else "follow-up")
        return Scripted(item_id, reference, entities, context, tags)

    # -- scenarios: each returns (reference, entities, context) ---------------------------

    def _contacts(self, last: str | None = None) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        first = self.rng.choice(self.data.names["first"])
        l1, l2 = self.rng.sample([n for n in self.data.names["last"] if n != last], 2)
        l2 = last or l2
        a, b = f"{first} {l1}", f"{first} {l2}"
        contacts = self._shuffled([a, b, *self._people(self.rng.randint(8, 60), exclude={a, b})])
        t = self.data.templates["contacts"]
        turns = self._turns(t, first=first, a=a, b=b)
        text, entity = self.rng.choice(t["followup"])
        values = {"last": l2, "full": b, "first": first}
        return (
            text.format(**values),
            (entity.format(**values),),
            self._ctx(turns, contacts=contacts),
        )

    def _devices(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        everything = self.data.catalogs["devices"]
        catalog = self.rng.sample(everything, self.rng.randint(6, len(everything)))
        a, b = self.rng.sample(catalog, 2)
        return self._answer("devices", {"a": a, "b": b}, devices=catalog)

    def _places(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        category = self.rng.choice(sorted(self.data.catalogs["places"]))
        catalog = self._shuffled(list(self.data.catalogs["places"][category]))
        a, b, c = catalog[:3]
        return self._answer(
            "places", {"a": a, "b": b, "c": c, "category": category}, places=catalog
        )

    def _screen(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        kind = self.rng.choice(sorted(self.data.catalogs["screen"]))
        catalog = self.rng.sample(self.data.catalogs["screen"][kind], self.rng.randint(4, 8))
        return self._answer("screen", {"b": self.rng.choice(catalog), "kind": kind}, screen=catalog)

    def _phonetic(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        catalog = self.data.catalogs["phonetic"]
        b, c = self.rng.sample(catalog, 2)
        return self._answer("phonetic", {"b": b, "c": c}, phonetic=catalog)

    def _large(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        contacts = self._people(self.rng.choice([300, 800, 1500, 2400]))
        full = self.rng.choice(contacts)
        text, entity = self.rng.choice(self.data.templates["large"]["followup"])
        return text.format(full=full), (entity.format(full=full),), self._ctx([], contacts=contacts)

    def _confusable(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        pair = self.rng.choice(self.data.names["confusable"])
        _, _, context = self._contacts(last=pair["name"])
        return pair["sentence"], (), context

    def _unrelated(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        scenario = self.rng.choice(["contacts", "devices", "places", "screen"])
        _, _, context = getattr(self, f"_{scenario}")()
        return self.rng.choice(self.data.templates["unrelated"]), (), context

    # -- helpers ----------------------------------------------------------------------------

    def _answer(
        self, scenario: str, values: dict[str, str], **catalogs: list[str]
    ) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        t = self.data.templates[scenario]
        turns = self._turns(t, **values)
        text, entity = self.rng.choice(t["followup"])
        entities = tuple(entity.format(**values).split("|"))
        return text.format(**values), entities, self._ctx(turns, **catalogs)

    def _turns(self, templates: dict[str, Any], **values: str) -> list[dict[str, str]]:
        return [
            {"role": "user", "text": self.rng.choice(templates["user"]).format(**values)},
            {"role": "assistant", "text": self.rng.choice(templates["assistant"]).format(**values)},
        ]

    def _people(self, count: int, exclude: frozenset[str] | set[str] = frozenset()) -> list[str]:
        pool = [p for p in self.data.full_names() if p not in exclude]
        return self.rng.sample(pool, min(count, len(pool)))

    def _shuffled(self, values: list[str]) -> list[str]:
        self.rng.shuffle(values)
        return values

    @staticmethod
    def _ctx(turns: list[dict[str, str]], **catalogs: list[str]) -> dict[str, Any]:
        return {"turns": turns, "catalogs": catalogs}
