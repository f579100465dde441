"""Answers to a question with options in other forms ("No, Bauer.", "I meant Bauer.",
"Bauer, not Jones."), and a reply of its own after each question."""

from probe import PAIRS, Item, options_context, write

FORMS = [
    "No, {b}.",
    "I meant {b}.",
    "{b}, not {a}.",
    "Yes, {first} {b}, please.",
    "Call {first} {b}.",
    "{b}, I think.",
    "The second one, {b}.",
    "Definitely {b}.",
]
REPLIES = ["No, never mind.", "I meant the other thing.", "Yes, please.", "Neither of them."]

items = []
for k, (first, a, b) in enumerate(PAIRS):
    context = options_context(first, a, b)
    for form in FORMS:
        text = form.format(first=first, a=a, b=b)
        named = [f"{first} {b}"] if f"{first} {b}" in text else [b]
        items.append(Item(text, named + ([a] if "{a}" in form else []), context, "contacts"))
    items.append(Item(REPLIES[k], [], context, "unrelated"))
write(items, "f")
