"""Text normalisation shared by scoring and matching, exactly as the dialogue manifest spec says.

NFKC, lowercase, ``-`` becomes a space, every character other than a letter, digit, apostrophe
or space becomes a space, whitespace collapsed. Numbers are not rewritten.
"""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    kept = [ch if ch.isalpha() or ch.isdigit() or ch in "' " else " " for ch in text]
    return " ".join("".join(kept).split())


def words(text: str) -> list[str]:
    """Normalised words of ``text``."""
    return normalize(text).split()


def contains_phrase(haystack_words: list[str], phrase_words: list[str]) -> bool:
    """Whether ``phrase_words`` occur as a whole-word sequence in ``haystack_words``."""
    n = len(phrase_words)
    if n == 0:
        return False
    return any(
        haystack_words[i : i + n] == phrase_words for i in range(len(haystack_words) - n + 1)
    )
