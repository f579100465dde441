"""Catalog entries with numbers ("Apollo 13", "Ocean's Eleven", "1917") and sentences with
numbers, said as words; the references spell them as the catalog does."""

from probe import Item, write

SCREEN = [
    "30 Rock",
    "Brooklyn Nine-Nine",
    "Apollo 13",
    "Route 66",
    "Blink-182",
    "Ocean's Eleven",
    "Catch-22",
    "1917",
]
TURNS = [
    {"role": "user", "text": "Play something."},
    {"role": "assistant", "text": "Here is what is on screen. What should I play?"},
]
SAID = [
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
SPOKEN = {
    "30": "thirty",
    "13": "thirteen",
    "66": "sixty-six",
    "182": "one eighty-two",
    "22": "twenty-two",
    "1917": "nineteen seventeen",
    "1984": "nineteen eighty-four",
}


def spoken(text: str) -> str:
    """``text`` with its numbers as words ("Play Blink one eighty-two.")."""
    said = []
    for word in text.replace("Blink-", "Blink ").split():
        bare = word.strip(".,")
        said.append(SPOKEN.get(bare, bare) + word[len(bare) :] if bare in SPOKEN else word)
    return " ".join(said)


context = {"turns": TURNS, "catalogs": {"screen": SCREEN}}
write([Item(text, ents, context, "screen", said=spoken(text)) for text, ents in SAID], "n")
