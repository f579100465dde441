"""Questions that name the options by the words that tell them apart ("Which Meg, Jones or
Bauer?", "Do you mean Meg Jones or Bauer?"), answered, and a reply of its own after each."""

from probe import Item, write

PAIRS = [
    ("Meg", "Jones", "Bauer"),
    ("Liam", "Okafor", "Gallagher"),
    ("Siobhan", "Nguyen", "Moreau"),
    ("Ravi", "Haddad", "Chaudhry"),
    ("Amara", "Schmidt", "Lindqvist"),
    ("Kenji", "Dubois", "Hoang"),
    ("Esi", "Novak", "Kowalczyk"),
    ("Thiago", "Rossi", "Mahmoud"),
]
OTHERS = [
    "Ines Adebayo",
    "Omar Tran",
    "Hana Wojcik",
    "Sven Eriksen",
    "Priya Iwasaki",
    "Kai Jankowski",
]
REPLIES = [
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
for k, (first, a, b) in enumerate(PAIRS):
    questions = [f"Which {first}, {a} or {b}?", f"Do you mean {first} {a} or {b}?"]
    for form, question in enumerate(questions):
        context = {
            "turns": [
                {"role": "user", "text": f"Call {first}."},
                {"role": "assistant", "text": question},
            ],
            "catalogs": {"contacts": [f"{first} {a}", f"{first} {b}", *OTHERS]},
        }
        answer = b if (k + form) % 2 else a
        said = [f"{answer}.", f"The one with {answer}.", f"{answer}, please."][(k + form) % 3]
        items.append(Item(said, [answer], context, "contacts"))
        items.append(Item(REPLIES[(2 * k + form) % len(REPLIES)], [], context, "unrelated"))
write(items, "e")
