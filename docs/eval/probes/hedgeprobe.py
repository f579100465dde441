"""Replies of their own after a question with options, hedged ("I think so.", "Definitely
not."), said by a voice: none names an entry."""

import json
import sys
from pathlib import Path

from ctxasr.dataset.voices import make_voice

out = Path(sys.argv[1])
(out / "audio").mkdir(parents=True, exist_ok=True)
voice = make_voice(sys.argv[2])
pairs = [
    ("Meg", "Jones", "Bauer"),
    ("Liam", "Okafor", "Gallagher"),
    ("Ravi", "Haddad", "Chaudhry"),
    ("Thiago", "Rossi", "Mahmoud"),
]
others = ["Ines Adebayo", "Omar Tran", "Hana Wojcik", "Sven Eriksen"]
replies = [
    "I think so.",
    "Definitely not.",
    "Maybe later.",
    "Not now.",
    "The other one.",
    "Sure, go ahead.",
    "I guess so.",
    "Probably not.",
    "Actually, never mind.",
    "Sorry, what?",
    "Well, I'm not sure.",
    "The first one.",
]
n = 0
with open(out / "manifest.jsonl", "w") as f:
    for first, a, b in pairs:
        ctx = {
            "turns": [
                {"role": "user", "text": f"Call {first}."},
                {"role": "assistant", "text": f"Do you mean {first} {a} or {first} {b}?"},
            ],
            "catalogs": {"contacts": [f"{first} {a}", f"{first} {b}", *others]},
        }
        for text in replies:
            wav = out / "audio" / f"h{n:02d}.wav"
            voice.speak(text, wav)
            f.write(
                json.dumps(
                    {
                        "id": f"h{n:02d}",
                        "audio": f"audio/h{n:02d}.wav",
                        "reference": text,
                        "entities": [],
                        "context": ctx,
                        "tags": ["unrelated", "distractor", f"voice={sys.argv[2]}"],
                    }
                )
                + "\n"
            )
            n += 1
