"""Catalog entries with accents, signs and numbers spelled out ("José García", "Barnes &
Noble", "Disney+"), said as Whisper would hear them; the references spell them as the catalogs
do."""

from probe import Item, write

CONTACTS = [
    "José García",
    "Zoë Müller",
    "Renée Dubois",
    "François Lefèvre",
    "Søren Nørgaard",
    "Meg Bauer",
    "Liam Okafor",
]
PLACES = ["Barnes & Noble", "H&M", "Ben & Jerry's", "Café Trieste", "Trader Joe's"]
SCREEN = ["Amélie", "Pokémon", "Léon", "Ocean's Eleven", "Twelve Angry Men", "Disney+"]
FIRST: list[dict[str, str]] = []
LISTING = [
    {"role": "user", "text": "Find shops near me."},
    {"role": "assistant", "text": "I found Barnes & Noble, H&M and Café Trieste."},
]
ON_SCREEN = [
    {"role": "user", "text": "Play something."},
    {"role": "assistant", "text": "Here are a few movies on your screen."},
]
CATALOGS = {"contacts": CONTACTS, "places": PLACES, "screen": SCREEN}

SAID = [
    ("Call José García.", "Call Jose Garcia.", ["José García"], FIRST, "contacts"),
    ("Message Zoë Müller.", "Message Zoe Muller.", ["Zoë Müller"], FIRST, "contacts"),
    ("Call Renée Dubois.", "Call Renay Dubois.", ["Renée Dubois"], FIRST, "contacts"),
    (
        "Message François Lefèvre.",
        "Message Fran swah Lefevre.",
        ["François Lefèvre"],
        FIRST,
        "contacts",
    ),
    ("Call Søren Nørgaard.", "Call Soren Norgaard.", ["Søren Nørgaard"], FIRST, "contacts"),
    (
        "Take me to Barnes & Noble.",
        "Take me to Barnes and Noble.",
        ["Barnes & Noble"],
        LISTING,
        "places",
    ),
    ("Directions to H&M.", "Directions to H and M.", ["H&M"], LISTING, "places"),
    ("Take me to Café Trieste.", "Take me to Cafe Trieste.", ["Café Trieste"], LISTING, "places"),
    ("Play Amélie.", "Play Amelie.", ["Amélie"], ON_SCREEN, "screen"),
    ("Open Pokémon, please.", "Open Pokemon, please.", ["Pokémon"], ON_SCREEN, "screen"),
    ("Play Léon.", "Play Leon.", ["Léon"], ON_SCREEN, "screen"),
    ("Play Twelve Angry Men.", "Play Twelve Angry Men.", ["Twelve Angry Men"], ON_SCREEN, "screen"),
    ("Open Disney+.", "Open Disney plus.", ["Disney+"], ON_SCREEN, "screen"),
    ("I went to the cafe and back.", "I went to the cafe and back.", [], LISTING, "unrelated"),
    ("Add jam and bread to the list.", "Add jam and bread to the list.", [], LISTING, "unrelated"),
    ("It is twelve degrees outside.", "It is twelve degrees outside.", [], ON_SCREEN, "unrelated"),
    ("Call me back later.", "Call me back later.", [], FIRST, "unrelated"),
]
items = [
    Item(text, entities, {"turns": turns, "catalogs": CATALOGS}, kind, said=said)
    for text, said, entities, turns, kind in SAID
]
write(items, "a")
