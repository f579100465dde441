"""Catalog entries with accents, signs and numbers spelled out, said by a voice (piper:joe,
flite:slt, espeak:en-us); the catalogs spell them the way the references do."""

import json
import sys
from pathlib import Path

from ctxasr.dataset.voices import make_voice

out = Path(sys.argv[1])
(out / "audio").mkdir(parents=True, exist_ok=True)
voice = make_voice(sys.argv[2])
contacts = [
    "José García",
    "Zoë Müller",
    "Renée Dubois",
    "François Lefèvre",
    "Søren Nørgaard",
    "Meg Bauer",
    "Liam Okafor",
]
places = ["Barnes & Noble", "H&M", "Ben & Jerry's", "Café Trieste", "Trader Joe's"]
screen = ["Amélie", "Pokémon", "Léon", "Ocean's Eleven", "Twelve Angry Men", "Disney+"]
first = []
listing = [
    {"role": "user", "text": "Find shops near me."},
    {"role": "assistant", "text": "I found Barnes & Noble, H&M and Café Trieste."},
]
onscreen = [
    {"role": "user", "text": "Play something."},
    {"role": "assistant", "text": "Here are a few movies on your screen."},
]
items = [
    ("Call José García.", "Call Jose Garcia.", ["José García"], first, "contacts"),
    ("Message Zoë Müller.", "Message Zoe Muller.", ["Zoë Müller"], first, "contacts"),
    ("Call Renée Dubois.", "Call Renay Dubois.", ["Renée Dubois"], first, "contacts"),
    (
        "Message François Lefèvre.",
        "Message Fran swah Lefevre.",
        ["François Lefèvre"],
        first,
        "contacts",
    ),
    ("Call Søren Nørgaard.", "Call Soren Norgaard.", ["Søren Nørgaard"], first, "contacts"),
    (
        "Take me to Barnes & Noble.",
        "Take me to Barnes and Noble.",
        ["Barnes & Noble"],
        listing,
        "places",
    ),
    ("Directions to H&M.", "Directions to H and M.", ["H&M"], listing, "places"),
    ("Take me to Café Trieste.", "Take me to Cafe Trieste.", ["Café Trieste"], listing, "places"),
    ("Play Amélie.", "Play Amelie.", ["Amélie"], onscreen, "screen"),
    ("Open Pokémon, please.", "Open Pokemon, please.", ["Pokémon"], onscreen, "screen"),
    ("Play Léon.", "Play Leon.", ["Léon"], onscreen, "screen"),
    ("Play Twelve Angry Men.", "Play Twelve Angry Men.", ["Twelve Angry Men"], onscreen, "screen"),
    ("Open Disney+.", "Open Disney plus.", ["Disney+"], onscreen, "screen"),
    ("I went to the cafe and back.", "I went to the cafe and back.", [], listing, "unrelated"),
    ("Add jam and bread to the list.", "Add jam and bread to the list.", [], listing, "unrelated"),
    ("It is twelve degrees outside.", "It is twelve degrees outside.", [], onscreen, "unrelated"),
    ("Call me back later.", "Call me back later.", [], first, "unrelated"),
]
with open(out / "manifest.jsonl", "w") as f:
    for k, (text, say, ents, turns, tag) in enumerate(items):
        wav = out / "audio" / f"a{k:02d}.wav"
        voice.speak(say, wav)
        f.write(
            json.dumps(
                {
                    "id": f"a{k:02d}",
                    "audio": f"audio/a{k:02d}.wav",
                    "reference": text,
                    "entities": ents,
                    "context": {
                        "turns": turns,
                        "catalogs": {"contacts": contacts, "places": places, "screen": screen},
                    },
                    "tags": [tag, "follow-up" if ents else "distractor", f"voice={sys.argv[2]}"],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
