"""What the probes share: the option questions' names, and the manifest writer.

Each probe is run as ``python docs/eval/probes/NAME.py OUT_DIR VOICE`` (a voice of
``ctxasr dataset synth``: ``piper:joe``, ``flite:slt``, ``espeak:en-us``); it writes
``OUT_DIR/manifest.jsonl`` of the manifest spec and the audio beside it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxasr.dataset.voices import make_voice

# A first name shared by two contacts, and the surnames that tell them apart.
PAIRS = [
    ("Meg", "Jones", "Bauer"),
    ("Liam", "Okafor", "Gallagher"),
    ("Ravi", "Haddad", "Chaudhry"),
    ("Thiago", "Rossi", "Mahmoud"),
]
OTHER_CONTACTS = ["Ines Adebayo", "Omar Tran", "Hana Wojcik", "Sven Eriksen"]


@dataclass(frozen=True)
class Item:
    reference: str
    entities: list[str]
    context: dict[str, Any]
    slice: str
    said: str = ""  # what the voice says, when the reference spells it otherwise


def options_context(first: str, a: str, b: str, question: str | None = None) -> dict[str, Any]:
    """The context after "Do you mean {first} {a} or {first} {b}?" (or ``question``)."""
    asked = question or f"Do you mean {first} {a} or {first} {b}?"
    return {
        "turns": [
            {"role": "user", "text": f"Call {first}."},
            {"role": "assistant", "text": asked},
        ],
        "catalogs": {"contacts": [f"{first} {a}", f"{first} {b}", *OTHER_CONTACTS]},
    }


def write(items: list[Item], prefix: str) -> None:
    """Says each item with the voice of ``sys.argv[2]`` into ``sys.argv[1]``."""
    out, voice_name = Path(sys.argv[1]), sys.argv[2]
    (out / "audio").mkdir(parents=True, exist_ok=True)
    voice = make_voice(voice_name)
    with open(out / "manifest.jsonl", "w") as manifest:
        for n, item in enumerate(items):
            name = f"{prefix}{n:02d}"
            voice.speak(item.said or item.reference, out / "audio" / f"{name}.wav")
            kind = "follow-up" if item.entities else "distractor"
            row = {
                "id": name,
                "audio": f"audio/{name}.wav",
                "reference": item.reference,
                "entities": item.entities,
                "context": item.context,
                "tags": [item.slice, kind, f"voice={voice_name}"],
            }
            manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
