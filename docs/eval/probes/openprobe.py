"""Answers to an open question, "Who do you want to call?", with 300 contacts: the full name in
four forms ("Meg Bauer.", "I want to call Meg Bauer."), and four replies of their own."""

import json
import random
from pathlib import Path

from probe import Item, write

NAMES = json.loads((Path(__file__).parents[3] / "src/ctxasr/data/dataset/names.json").read_text())
FORMS = ["{full}.", "Call {full}, please.", "I want to call {full}.", "{full}, I think."]
REPLIES = ["Never mind.", "Nobody, actually.", "My mother.", "Cancel the call."]

rng = random.Random(7)
book = sorted({f"{rng.choice(NAMES['first'])} {rng.choice(NAMES['last'])}" for _ in range(400)})
book = book[:300]
context = {
    "turns": [
        {"role": "user", "text": "Make a call."},
        {"role": "assistant", "text": "Who do you want to call?"},
    ],
    "catalogs": {"contacts": book},
}
picks = rng.sample(book, 12)
items = [
    Item(FORMS[k % 4].format(full=full), [full], context, "contacts")
    for k, full in enumerate(picks)
]
items += [Item(reply, [], context, "unrelated") for reply in REPLIES]
write(items, "o")
