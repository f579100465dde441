"""Step 4: canonicalisation. Spans that *sound* like a catalog phrase take its spelling.

Spellings the lexicon does not know ("Shavon Okafor" -> "Siobhan Okafor") are respelled
anywhere; dictionary words that are a whole entry's homophone ("Alpha" -> "Alfa") where an
entry is asked for (not "still more" -> "Still Moore" mid-sentence); a part of an entry that is
also an English word ("Carr") only in a short answer. Real words are never respelled into a
different-sounding entry ("power" stays "power"): only the decoder's evidence (the guard and
the spell check) can do that.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.readings import EntityMatch
from ctxasr.asr.bias.spans import fits, keep_punctuation, prefer_whole
from ctxasr.context.index import ANSWER_FILLERS, STOPWORDS, IndexedPhrase
from ctxasr.context.phonetics import Phones, Pronouncer, similarity
from ctxasr.context.plan import ContextPlan
from ctxasr.text import normalize, words


class Canonicalizer:
    """Respells a text toward one plan's catalogs and reports the catalog phrases it holds."""

    def __init__(
        self, plan: ContextPlan, pronouncer: Pronouncer, expect: Expectations, options: BiasOptions
    ) -> None:
        self.plan = plan
        self.pronouncer = pronouncer
        self.expect = expect
        self.options = options

    def canonicalize(self, text: str) -> tuple[str, tuple[EntityMatch, ...]]:
        """Respell spans that sound like catalog phrases; report every catalog phrase found."""
        tokens = text.split()
        norm = [normalize(t) for t in tokens]  # for the short-answer test of every span
        pieces: list[_Piece] = []
        position = 0
        while position < len(tokens):
            step, piece = self._match_at(tokens, norm, position)
            pieces.append(piece)
            position += step
        return _assemble(pieces)

    def _match_at(self, tokens: list[str], norm: list[str], position: int) -> tuple[int, _Piece]:
        index = self.plan.index
        longest = min(index.max_words + 1, len(tokens) - position)
        for size in range(longest, 0, -1):
            span = tokens[position : position + size]
            span_text = normalize(" ".join(span))
            if not span_text:
                continue
            at = (position, position + size)
            exact = index.exact(span_text)
            if exact:
                phrase = prefer_whole(exact)
                if not phrase.whole and not self.expect.asked_for(norm, at):
                    # "a more amiable woman" names no playlist "Amiable Women": an English
                    # word that is a part of an entry is reported only where one is asked for.
                    return size, _Piece(" ".join(span))
                return size, _exact_piece(tokens, at, phrase)
            found = self._respelling(span_text, norm, at)
            if found is not None:
                phrase, score = found
                respelled = keep_punctuation(tokens, at, phrase.text)
                return size, _Piece(respelled, phrase, score, " ".join(span))
        return 1, _Piece(tokens[position])

    def _respelling(
        self, span_text: str, norm: list[str], at: tuple[int, int]
    ) -> tuple[IndexedPhrase, float] | None:
        """The catalog phrase the span at ``at`` of ``norm`` is a spelling of, and how alike."""
        index, plan = self.plan.index, self.plan
        answer_like = self.expect.is_answer(norm, at)
        span_words = span_text.split()
        unknown = any(not self.pronouncer.in_lexicon(w) for w in span_words)
        prons = self.pronouncer.phrase(span_text)
        for phrase in index.homophones(prons):
            # Words that are also an entry's homophone ("still more", "Still Moore") take its
            # spelling only where an entry is asked for; a part that is also an English word
            # ("Paige", "Carr") only as a short answer, never mid-sentence.
            named = plan.phrase_relevance(phrase) > 0 and answer_like
            if unknown or named or (phrase.whole and self.expect.asked_for(norm, at)):
                return phrase, 1.0
        if not unknown:
            return None  # real words keep their spelling unless they are homophones
        if span_words[0] in STOPWORDS or span_words[-1] in STOPWORDS:
            return None  # names do not start or end with "the", "on", "of"...
        for match in index.nearest(prons, limit=1):
            phrase = match.phrase
            if match.similarity < self.options.respell_similarity or not fits(span_words, phrase):
                continue
            if self._swallows_a_word(span_words, phrase) or not self._rest_alike(
                span_words, phrase
            ):
                continue
            named = plan.phrase_relevance(phrase) > 0 and answer_like
            if phrase.whole or phrase.n_words > 1 or named:
                return phrase, match.similarity
        return self._offered_option(span_words, prons) if answer_like else None

    def _swallows_a_word(self, span_words: list[str], phrase: IndexedPhrase) -> bool:
        """Whether respelling the span as a shorter phrase would drop a dictionary word at its
        edge ("Call Siobhan Okafor" is not a spelling of "Siobhan Okafor")."""
        if phrase.n_words >= len(span_words):
            return False
        return any(self.pronouncer.in_lexicon(w) for w in (span_words[0], span_words[-1]))

    def _rest_alike(self, span_words: list[str], phrase: IndexedPhrase) -> bool:
        """Words the span shares with the phrase say nothing of which entry holding them it
        is; the others must sound alike on their own, as in a choice among a few (the
        offered options' bar): "Shavon Okafor" is "Siobhan Okafor" (0.84), but "one,
        Raghunathan" is not "Liam Raghunathan" (0.47), however alike the whole."""
        phrase_words = words(phrase.text)
        shared = set(span_words) & set(phrase_words)
        if not shared:
            return True
        rest_span = " ".join(w for w in span_words if w not in shared)
        rest_phrase = " ".join(w for w in phrase_words if w not in shared)
        if not rest_span or not rest_phrase:
            return True  # the span is the phrase but for a word: fits() judged that
        alike = similarity(self.pronouncer.phrase(rest_span), self.pronouncer.phrase(rest_phrase))
        return alike >= self.options.offered_respell_similarity

    def _offered_option(
        self, span_words: list[str], prons: tuple[Phones, ...]
    ) -> tuple[IndexedPhrase, float] | None:
        """After "Meg Jones or Meg Bauer?", an unknown word that makes up the answer is most
        likely one of the two: the option it sounds closest to, if clearly closer than the
        other options. A choice among a few, so it needs less likeness than a catalog search."""
        if span_words[0] in ANSWER_FILLERS or span_words[-1] in ANSWER_FILLERS:
            return None  # "one with Raghunathan": the answer's frame is not part of the name
        offered = [
            p
            for p in self.expect.offered
            if fits(span_words, p) and not self._swallows_a_word(span_words, p)
        ]
        scored = sorted(
            ((similarity(prons, p.prons), p) for p in offered),
            key=lambda pair: (pair[0], pair[1].whole),
            reverse=True,
        )
        if not scored:
            return None
        best_score, best = scored[0]
        option = self.expect.option
        rival = max((s for s, p in scored if option(p) != option(best)), default=0.0)
        return (best, best_score) if self.options.clear_choice(best_score, rival) else None


def _exact_piece(tokens: list[str], at: tuple[int, int], phrase: IndexedPhrase) -> _Piece:
    """A span that spells a catalog phrase but for case or marks: a whole entry takes the
    catalog's spelling ("play invisibilia" -> "play Invisibilia"); a part keeps the decoder's,
    being often an English word too ("hale" of "Kwame Hale")."""
    heard = " ".join(tokens[at[0] : at[1]])
    if not phrase.whole:
        return _Piece(heard, phrase, 1.0)
    spelled = keep_punctuation(tokens, at, phrase.text)
    return _Piece(spelled, phrase, 1.0, heard if spelled != heard else None)


@dataclass(frozen=True)
class _Piece:
    """A run of output tokens, and the catalog phrase it is, if any."""

    text: str
    phrase: IndexedPhrase | None = None
    score: float = 0.0
    respelled_from: str | None = None


def _assemble(pieces: list[_Piece]) -> tuple[str, tuple[EntityMatch, ...]]:
    text = " ".join(piece.text for piece in pieces)
    matches: list[EntityMatch] = []
    offset = 0
    for piece in pieces:
        phrase = piece.phrase
        if phrase is not None:
            inner = piece.text.find(phrase.text)
            start = offset + max(inner, 0)
            end = start + (len(phrase.text) if inner >= 0 else len(piece.text))
            matches.append(
                EntityMatch(
                    phrase.catalog, phrase.text, start, end, piece.score, piece.respelled_from
                )
            )
        offset += len(piece.text) + 1
    return text, tuple(matches)
