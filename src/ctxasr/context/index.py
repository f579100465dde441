"""A phonetic index over every catalog entry (and the word runs inside entries).

Canonicalisation asks it which catalog phrase a span of the hypothesis sounds like. A coarse key
(confusable phones merged) prefilters with rapidfuzz at C speed; the weighted phone distance
then ranks the few survivors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ctxasr.context.model import Catalog
from ctxasr.context.phonetics import Phones, Pronouncer, coarse_key, similarity
from ctxasr.text import normalize, words

# Words too common to stand for an entry on their own.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "my",
        "me",
        "i",
        "you",
        "your",
        "it",
        "is",
        "be",
        "de",
        "la",
        "le",
        "the's",
    ]
)
# The stopwords that begin a surname ("de la Cruz", "le Roux"), so may begin a part of an entry.
NAME_PARTICLES = frozenset(["de", "la", "le"])
# Closed-class words that can surround a bare name in an answer ("the one with X, please").
# Any other word (a verb: "start", "read") makes the utterance a request, not an answer.
ANSWER_FILLERS = STOPWORDS | frozenset(
    [
        "one",
        "1",  # Whisper also writes "the Bauer 1"
        "ones",
        "that",
        "this",
        "those",
        "these",
        "please",
        "yes",
        "yeah",
        "no",
        "nope",
        "um",
        "uh",
        "oh",
        # Hesitations as Whisper writes them ("Mm, the Bauer one.", "Eh, Lefebvre." heard
        # "Hey, …"): they say nothing of what the answer is.
        "hmm",
        "hm",
        "mm",
        "mmm",
        "em",
        "er",
        "erm",
        "ah",
        "eh",
        "hey",
        "huh",
        "okay",
        "ok",
        "i",
        "mean",
        "meant",
        "said",
        "the",
        "it's",
        "its",
        "him",
        "her",
        "them",
        "call",
        "just",
        "but",
    ]
)
# Words that hedge, confirm or contrast a bare name in an answer ("Bauer, I think.",
# "Definitely Bauer.", "The second one, Bauer.", "Go with Bauer."): fillers where a short
# answer is judged (``ANSWER_WORDS``), but never words of a request's frame.
ANSWER_HEDGES = frozenset(
    [
        "think",
        "guess",
        "suppose",
        "believe",
        "definitely",
        "probably",
        "maybe",
        "perhaps",
        "actually",
        "sure",
        "right",
        "sorry",
        "well",
        "so",
        "go",
        "first",
        "second",
        "third",
        "last",
        "other",
        "not",
        "instead",
    ]
)
ANSWER_WORDS = ANSWER_FILLERS | ANSWER_HEDGES
_PREFILTER_LIMIT = 8
_PREFILTER_CUTOFF = 0.5


@dataclass(frozen=True)
class IndexedPhrase:
    text: str  # as the catalog spells it
    entry: str  # the whole catalog entry it comes from
    catalog: str
    whole: bool  # the whole entry (True) or a run of its words, e.g. a surname (False)
    prons: tuple[Phones, ...]
    # Every entry of the catalog that holds the phrase ("Novak" of "Esi Novak" and "Dmitri
    # Novak"); ``entry`` is the first of them (the entry itself for a whole one).
    entries: tuple[str, ...] = ()

    @property
    def n_words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class PhoneticMatch:
    phrase: IndexedPhrase
    similarity: float  # 1.0 = homophone


class PhoneticIndex:
    """Every catalog phrase, searchable by sound and by normalised text."""

    def __init__(
        self, catalogs: tuple[Catalog, ...], pronouncer: Pronouncer, parts: bool = True
    ) -> None:
        self.pronouncer = pronouncer
        phrases: dict[tuple[str, str], IndexedPhrase] = {}
        holders: dict[tuple[str, str], list[str]] = {}
        for catalog in catalogs:
            for entry in catalog.entries:
                for text, whole in phrases_of(entry, parts):
                    key = (normalize(text), catalog.name)
                    if not key[0]:
                        continue
                    holders.setdefault(key, []).append(entry)
                    if key not in phrases or whole:
                        prons = pronouncer.phrase(text)
                        phrases[key] = IndexedPhrase(text, entry, catalog.name, whole, prons)
        self.phrases = tuple(
            replace(p, entries=tuple(dict.fromkeys([p.entry, *holders[key]])))
            for key, p in phrases.items()
        )
        self._by_text: dict[str, list[IndexedPhrase]] = {}
        for phrase in self.phrases:
            self._by_text.setdefault(normalize(phrase.text), []).append(phrase)
        self._keys = [coarse_key(p.prons[0]) if p.prons else "" for p in self.phrases]
        self._by_sound: dict[Phones, list[IndexedPhrase]] = {}
        for phrase in self.phrases:
            for pron in phrase.prons:
                self._by_sound.setdefault(pron, []).append(phrase)
        self.max_words = max((p.n_words for p in self.phrases), default=0)
        # The whole entries, each spelling once in catalog order, and every word they hold
        # (normalised): built once per catalogs, read on every utterance.
        self.entries = tuple({p.text: p for p in self.phrases if p.whole}.values())
        self.entry_words = frozenset(w for p in self.entries for w in words(p.text))

    def __len__(self) -> int:
        return len(self.phrases)

    def exact(self, text: str) -> list[IndexedPhrase]:
        """Catalog phrases whose normalised text equals ``text``'s."""
        return list(self._by_text.get(normalize(text), ()))

    def homophones(self, prons: tuple[Phones, ...]) -> list[IndexedPhrase]:
        """Catalog phrases pronounced exactly like one of ``prons`` (whole entries first)."""
        found = {id(p): p for pron in prons for p in self._by_sound.get(pron, ())}
        return sorted(found.values(), key=lambda p: not p.whole)

    def nearest(self, prons: tuple[Phones, ...], limit: int = 3) -> list[PhoneticMatch]:
        """The catalog phrases that sound most like ``prons``, best first."""
        if not prons or not self.phrases:
            return []
        query = coarse_key(prons[0])
        hits = process.extract(
            query,
            self._keys,
            scorer=Levenshtein.normalized_similarity,
            limit=_PREFILTER_LIMIT,
            score_cutoff=_PREFILTER_CUTOFF,
        )
        matches = [
            PhoneticMatch(self.phrases[i], similarity(prons, self.phrases[i].prons))
            for _, _, i in hits
        ]
        matches.sort(key=lambda m: (m.similarity, m.phrase.whole), reverse=True)
        return matches[:limit]


def phrases_of(entry: str, parts: bool) -> list[tuple[str, bool]]:
    """The entry itself, then each contiguous run of its words that could be said for it."""
    found = [(entry, True)]
    tokens = entry.split()
    if not parts or len(tokens) < 2:
        return found
    for size in range(len(tokens) - 1, 0, -1):
        for start in range(len(tokens) - size + 1):
            run = tokens[start : start + size]
            if _could_stand_for_its_entry(run):
                found.append((" ".join(run), False))
    return found


def _could_stand_for_its_entry(run: list[str]) -> bool:
    """Nobody says "Five of" for "Five of Clubs" or "and Wolves" for "Craftsman and Wolves":
    a part neither ends nor starts with a function word, except a name's particle ("de la
    Cruz" of "Juan de la Cruz"). A one-word part is no shorter than three letters."""
    first, last = normalize(run[0]), normalize(run[-1])
    if len(run) == 1:
        return first not in STOPWORDS and len(first) >= 3
    return last not in STOPWORDS and (first not in STOPWORDS or first in NAME_PARTICLES)
