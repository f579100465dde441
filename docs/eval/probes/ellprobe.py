"""Questions that name the options by their telling words only ("Which Meg, Jones or
Bauer?"), answered by the telling word, and replies of their own; said by a voice."""

import json
import random
import sys
from pathlib import Path

from ctxasr.dataset.voices import make_voice

out = Path(sys.argv[1])
(out / "audio").mkdir(parents=True, exist_ok=True)
voice = make_voice(sys.argv[2])
rng = random.Random(40)
pairs = [
    ("Meg", "Jones", "Bauer"),
    ("Liam", "Okafor", "Gallagher"),
    ("Siobhan", "Nguyen", "Moreau"),
    ("Ravi", "Haddad", "Chaudhry"),
    ("Amara", "Schmidt", "Lindqvist"),
    ("Kenji", "Dubois", "Hoang"),
    ("Esi", "Novak", "Kowalczyk"),
    ("Thiago", "Rossi", "Mahmoud"),
]
others = [
    "Ines Adebayo",
    "Omar Tran",
    "Hana Wojcik",
    "Sven Eriksen",
    "Priya Iwasaki",
    "Kai Jankowski",
]
replies = [
    "Turn the power off.",
    "Never mind.",
    "What time is it?",
    "Start the car.",
    "Cancel that.",
    "Play some music.",
    "How is the weather?",
    "Stop.",
]
items = []
for k, (first, a, b) in enumerate(pairs):
    contacts = [f"{first} {a}", f"{first} {b}", *others]
    for form, turn in enumerate(
        [f"Which {first}, {a} or {b}?", f"Do you mean {first} {a} or {b}?"]
    ):
        answer = b if (k + form) % 2 else a
        said = [f"{answer}.", f"The one with {answer}.", f"{answer}, please."][(k + form) % 3]
        ctx = {
            "turns": [
                {"role": "user", "text": f"Call {first}."},
                {"role": "assistant", "text": turn},
            ],
            "catalogs": {"contacts": contacts},
        }
        items.append((said, [answer], ctx, "contacts"))
        items.append((replies[(2 * k + form) % len(replies)], [], ctx, "unrelated"))
with open(out / "manifest.jsonl", "w") as f:
    for n, (text, ents, ctx, tag) in enumerate(items):
        wav = out / "audio" / f"e{n:02d}.wav"
        voice.speak(text, wav)
        f.write(
            json.dumps(
                {
                    "id": f"e{n:02d}",
                    "audio": f"audio/e{n:02d}.wav",
                    "reference": text,
                    "entities": ents,
                    "context": ctx,
                    "tags": [tag, "follow-up" if ents else "distractor", f"voice={sys.argv[2]}"],
                }
            )
            + "\n"
        )
