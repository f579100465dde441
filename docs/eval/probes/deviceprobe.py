"""Answers to "Which one, the Lava Lamp or the Porch Sconce?" in other forms ("Porch Sconce, I
think.", "The Porch Sconce, not the Lava Lamp."), and a reply of its own after each question."""

from probe import Item, write

PAIRS = [
    ("Lava Lamp", "Porch Sconce"),
    ("Kitchen Pendant", "Garage Heater"),
    ("Ceiling Fan", "Espresso Machine"),
    ("Towel Warmer", "Pool Pump"),
]
DEVICES = [device for pair in PAIRS for device in pair] + ["Attic Vent"]
FORMS = [
    "{b}, I think.",
    "Definitely the {b}.",
    "Switch on the {b}.",
    "The {b}, not the {a}.",
    "Yes, the {b}, please.",
    "Um, the {b}.",
]

items = []
for a, b in PAIRS:
    context = {
        "turns": [
            {"role": "user", "text": "Turn that on."},
            {"role": "assistant", "text": f"Which one, the {a} or the {b}?"},
        ],
        "catalogs": {"devices": DEVICES},
    }
    for form in FORMS:
        entities = [b, a] if "{a}" in form else [b]
        items.append(Item(form.format(a=a, b=b), entities, context, "devices"))
    items.append(Item("Actually, turn it off.", [], context, "unrelated"))
write(items, "d")
