"""Catalog entries with numbers, said by piper; the context's catalog spells them one way."""

import json
import sys
from pathlib import Path

from ctxasr.dataset.voices import make_voice

out = Path(sys.argv[1])
(out / "audio").mkdir(parents=True, exist_ok=True)
voice = make_voice(sys.argv[2])
screen = [
    "30 Rock",
    "Brooklyn Nine-Nine",
    "Apollo 13",
    "Route 66",
    "Blink-182",
    "Ocean's Eleven",
    "Catch-22",
    "1917",
]
turns = [
    {"role": "user", "text": "Play something."},
    {"role": "assistant", "text": "Here is what is on screen. What should I play?"},
]
items = [
    ("Play 30 Rock.", ["30 Rock"]),
    ("Play Brooklyn Nine-Nine.", ["Brooklyn Nine-Nine"]),
    ("Open Apollo 13.", ["Apollo 13"]),
    ("Play Route 66, please.", ["Route 66"]),
    ("Play Blink-182.", ["Blink-182"]),
    ("Open Ocean's Eleven.", ["Ocean's Eleven"]),
    ("Catch-22, please.", ["Catch-22"]),
    ("Play 1917.", ["1917"]),
    ("It is 30 degrees outside.", []),
    ("Set a timer for 13 minutes.", []),
    ("Call me in 22 minutes.", []),
    ("I was born in 1984.", []),
]
spoken = {
    "30": "thirty",
    "13": "thirteen",
    "66": "sixty-six",
    "182": "one eighty-two",
    "22": "twenty-two",
    "1917": "nineteen seventeen",
    "1984": "nineteen eighty-four",
}
with open(out / "manifest.jsonl", "w") as f:
    for k, (text, ents) in enumerate(items):
        say = " ".join(
            spoken.get(w.strip(".,"), w)
            + ("." if w.endswith(".") and w.strip(".,") in spoken else "")
            + ("," if w.endswith(",") and w.strip(".,") in spoken else "")
            for w in text.split()
        )
        wav = out / "audio" / f"n{k:02d}.wav"
        voice.speak(say.replace("Blink-", "Blink "), wav)
        f.write(
            json.dumps(
                {
                    "id": f"n{k:02d}",
                    "audio": f"audio/n{k:02d}.wav",
                    "reference": text,
                    "entities": ents,
                    "context": {"turns": turns, "catalogs": {"screen": screen}},
                    "tags": ["screen", "follow-up" if ents else "distractor", "voice=piper"],
                }
            )
            + "\n"
        )
