"""Replies of their own after a question with options, hedged ("I think so.", "Definitely
not."): none names an entry."""

from probe import PAIRS, Item, options_context, write

REPLIES = [
    "I think so.",
    "Definitely not.",
    "Maybe later.",
    "Not now.",
    "The other one.",
    "Sure, go ahead.",
    "I guess so.",
    "Probably not.",
    "Actually, never mind.",
    "Sorry, what?",
    "Well, I'm not sure.",
    "The first one.",
]

write([Item(r, [], options_context(*pair), "unrelated") for pair in PAIRS for r in REPLIES], "h")
