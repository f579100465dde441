"""Answers to a question with options in many forms ("No, Bauer.", "I meant Bauer."), and
replies of their own; said by a voice."""

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
forms = [
    "No, {b}.",
    "I meant {b}.",
    "{b}, not {a}.",
    "Yes, {first} {b}, please.",
    "Call {first} {b}.",
    "{b}, I think.",
    "The second one, {b}.",
    "Definitely {b}.",
]
replies = ["No, never mind.", "I meant the other thing.", "Yes, please.", "Neither of them."]
items = []
for k, (first, a, b) in enumerate(pairs):
    ctx = {
        "turns": [
            {"role": "user", "text": f"Call {first}."},
            {"role": "assistant", "text": f"Do you mean {first} {a} or {first} {b}?"},
        ],
        "catalogs": {"contacts": [f"{first} {a}", f"{first} {b}", *others]},
    }
    for form in forms:
        text = form.format(first=first, a=a, b=b)
        ents = [f"{first} {b}"] if f"{first} {b}" in text else [b] + ([a] if "{a}" in form else [])
        items.append((text, ents, ctx, "contacts"))
    items.append((replies[k], [], ctx, "unrelated"))
with open(out / "manifest.jsonl", "w") as f:
    for n, (text, ents, ctx, tag) in enumerate(items):
        wav = out / "audio" / f"f{n:02d}.wav"
        voice.speak(text, wav)
        f.write(
            json.dumps(
                {
                    "id": f"f{n:02d}",
                    "audio": f"audio/f{n:02d}.wav",
                    "reference": text,
                    "entities": ents,
                    "context": ctx,
                    "tags": [tag, "follow-up" if ents else "distractor", f"voice={sys.argv[2]}"],
                }
            )
            + "\n"
        )
