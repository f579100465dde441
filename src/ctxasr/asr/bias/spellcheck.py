"""Step 3a: the spell check's readings. Catalog phrases spelled into the text for the decoder
to judge.

A beam search drops a rare name after its first unlikely token; scored whole, the name often
wins. So catalog phrases that sound like a span of the merged text (the whole catalog, by the
phonetic index) are spelled into it, under the guard's rules applied before anything is scored.
A catalog phrase already in the text may be *swapped* for another entry ("Linh Lefebvre" for
"Linh Mahmoud"), and the biased pass's own text is respelled where the guard kept the unbiased
words ("So the number of Rania Boon." -> "... Rania Nguyen."). ``verdict`` judges the scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.readings import Alternative, Merged
from ctxasr.asr.bias.sound import Likeness
from ctxasr.asr.bias.spans import (
    SPLIT_WORDS,
    blocks,
    catalog_phrases_in,
    catalog_positions,
    fits,
    respelled,
    spans,
)
from ctxasr.asr.engine import Decoded
from ctxasr.context.index import PhoneticMatch
from ctxasr.context.phonetics import similarity
from ctxasr.context.plan import ContextPlan
from ctxasr.text import normalize, words

_ALTERNATIVES_PER_SPAN = 5  # sound-alike catalog phrases tried for each span of the text
_SWAPS_PER_PHRASE = 8  # sound-alike catalog phrases tried in place of a phrase of the text


class SpellCheck:
    """Proposes one plan's readings of a window's text. Holds a cache of span lookups, so it
    belongs to one recognition (``prepare`` may fill it from a background thread first)."""

    def __init__(self, plan: ContextPlan, expect: Expectations, likeness: Likeness) -> None:
        self.plan = plan
        self.expect = expect
        self.likeness = likeness
        self.pronouncer = likeness.pronouncer
        self.options = likeness.options
        # Span text -> the catalog phrases nearest in sound (filled by prepare and the check).
        self._sounding: dict[str, list[PhoneticMatch]] = {}

    def alternatives(self, text: str, unbiased: Decoded) -> list[Alternative]:
        """Readings of ``text`` with a span respelled as a catalog phrase it sounds like, or
        with a catalog phrase traded for another, for the decoder to score; named options and
        the most alike first."""
        if self.options.max_alternatives == 0:
            return []
        tokens = text.split()
        norm = [normalize(t) for t in tokens]
        present = catalog_phrases_in(words(text), self.plan.index)
        respellings = self._respellings(tokens, norm, present, unbiased)
        return respellings[: self.options.max_alternatives] + self._swaps(tokens, norm, present)

    def biased_alternatives(self, merged: Merged, unbiased: Decoded) -> list[Alternative]:
        """The biased reading with a span respelled as a catalog phrase it sounds like ("So
        the number of Rania Boon." for "Rania Nguyen"), where the guard kept the unbiased
        words: its frame is the prompt's taste, so each is judged as a contest."""
        limit = self.options.max_biased_respellings
        merged_words = words(merged.text)
        if min(limit, self.options.max_alternatives) == 0 or words(merged.biased) == merged_words:
            return []  # the spell check of the text covers a biased reading it took whole
        tokens = merged.biased.split()
        norm = [normalize(t) for t in tokens]
        present = catalog_phrases_in(words(merged.biased), self.plan.index)
        # Spans the text shares with the biased reading were spell-checked already; only the
        # biased words it lacks are new (and a large catalog's search is the slow part).
        lacking = {
            j
            for equal, _, (j1, j2) in blocks([normalize(t) for t in merged.text.split()], norm)
            if not equal
            for j in range(j1, j2)
        }
        found = [
            replace(alternative, contested=True)
            for alternative in self._respellings(tokens, norm, present, unbiased, lacking)
            if words(alternative.text) != merged_words
        ]
        return found[:limit]

    def _respellings(
        self,
        tokens: list[str],
        norm: list[str],
        present: set[str],
        unbiased: Decoded,
        within: set[int] | None = None,
    ) -> list[Alternative]:
        """The spell check's readings of ``tokens``, of spans that touch ``within`` if given."""
        # A whole entry, or an option's telling words given as the answer, already stands
        # there: not a mishearing to repair.
        recognised = catalog_positions(self.plan.index, norm, whole_only=True)
        recognised |= self.expect.answer_positions(norm)
        named_at = catalog_positions(self.plan.index, norm)
        nbest = [words(h.text) for h in unbiased.hypotheses]
        found: dict[str, Alternative] = {}
        for start, end in spans(len(tokens), self.plan.index.max_words + SPLIT_WORDS):
            if recognised.intersection(range(start, end)):
                continue
            if within is not None and not within.intersection(range(start, end)):
                continue
            names = {norm[i] for i in named_at.intersection(range(start, end))}
            for alternative in self._alternatives_at(tokens, norm, (start, end), names):
                if self._allowed(alternative, present, nbest):
                    sure = self.likeness.protected(alternative.heard.split(), nbest)
                    found.setdefault(alternative.text, replace(alternative, over_sure_words=sure))
        return _best_first(found.values(), len(found))

    def _swaps(self, tokens: list[str], norm: list[str], present: set[str]) -> list[Alternative]:
        """Readings with a catalog phrase of the text traded for another phrase of the same
        kind (whole entry or part) that sounds like it or that the assistant just offered:
        "Linh Lefebvre" for "Linh Mahmoud" when the biased beam ranked the two nearly level."""
        index, found = self.plan.index, dict[str, Alternative]()
        for start, end in spans(len(tokens), index.max_words):
            span = norm[start:end]
            if not all(span):
                continue
            run = " ".join(span)
            standing = index.exact(run)
            if not standing:
                continue
            whole = any(p.whole for p in standing)
            if not whole and not self.expect.is_answer(norm, (start, end)):
                continue
            heard = self.pronouncer.phrase(run)
            near = [(m.phrase, m.similarity) for m in index.nearest(heard, _SWAPS_PER_PHRASE)]
            offered = [(p, similarity(heard, p.prons)) for p in self.expect.offered]
            for phrase, alike in [*near, *offered]:
                if phrase.whole != whole or normalize(phrase.text) in present:
                    continue
                if not whole and self.expect.answers_nothing(phrase.text):
                    continue
                named = self.expect.named(phrase)
                if not named and alike < self.options.transplant_similarity:
                    continue
                if self.expect.unoffered(phrase, norm, (start, end)):
                    continue
                text = respelled(tokens, (start, end), phrase.text)
                found.setdefault(text, Alternative(text, run, phrase, alike, named, swapped=True))
        return _best_first(found.values(), self.options.max_swaps)

    def prepare(self, text: str) -> None:
        """Look up what each span of ``text`` sounds like in the catalogs ahead of the spell
        check, which then finds ready the spans it shares with ``text``: run on the unbiased
        reading while the biased pass decodes (a large catalog's search is the slow part)."""
        norm = [normalize(t) for t in text.split()]
        for start, end in spans(len(norm), self.plan.index.max_words + SPLIT_WORDS):
            if all(norm[start:end]):  # the spans _alternatives_at looks up
                self._sounding_like(" ".join(norm[start:end]))

    def _sounding_like(self, span: str) -> list[PhoneticMatch]:
        found = self._sounding.get(span)
        if found is None:
            prons = self.pronouncer.phrase(span)
            found = self.plan.index.nearest(prons, limit=_ALTERNATIVES_PER_SPAN)
            self._sounding[span] = found
        return found

    def _alternatives_at(
        self, tokens: list[str], norm: list[str], at: tuple[int, int], names: set[str]
    ) -> list[Alternative]:
        """The readings with the span ``at`` respelled as each catalog phrase it sounds like;
        ``names`` are its words that already spell a catalog phrase."""
        span = norm[at[0] : at[1]]
        if not all(span):
            return []  # a lone punctuation mark: not a word to respell
        found = []
        for match in self._sounding_like(" ".join(span)):
            phrase = match.phrase
            if not fits(span, phrase, split_words=SPLIT_WORDS):
                continue
            if _doubles_a_neighbour(norm, at, words(phrase.text)):
                continue  # "porch Porch Sconce": the span with its neighbour is the candidate
            text = respelled(tokens, at, phrase.text)
            named = self.expect.named(phrase)
            drops = bool(names - set(words(phrase.text)))
            alike = match.similarity
            found.append(
                Alternative(text, " ".join(span), phrase, alike, named, drops_a_name=drops)
            )
        return found

    def _allowed(self, alt: Alternative, present: set[str], nbest: list[list[str]]) -> bool:
        """The guard's rules, applied before the decoder is asked."""
        options, heard = self.options, alt.heard.split()
        phrase_words = words(alt.phrase.text)
        if normalize(alt.phrase.text) in present or not _aligned(heard, phrase_words):
            return False  # already in the text, or it would drop or move words it has
        if not self.likeness.alike_enough(alt.similarity, alt.named):
            return False
        lexical = all(self.pronouncer.in_lexicon(w) for w in heard)
        if lexical and not alt.phrase.whole and alt.similarity >= options.homophone_similarity:
            return False
        located = _located(alt)
        if not alt.phrase.whole and not self.expect.answers(alt.phrase.text, *located):
            return False
        if self.expect.unoffered(alt.phrase, *located):
            return False  # the answer check would refuse it, and it might hide an option
        if self.likeness.heard_as_words(heard, phrase_words) and not self.expect.asked_for(
            *located
        ):
            return False  # "I Will Wright to you tomorrow.": words, where no entry is asked for
        if not self.likeness.rest_sounds_alike(heard, phrase_words):
            return False
        return not self.likeness.overruled(heard, nbest, alt.similarity, alt.named)


def _best_first(alternatives: Iterable[Alternative], limit: int) -> list[Alternative]:
    """The named options first, then the most alike; at most ``limit``."""
    ranked = sorted(alternatives, key=lambda a: (a.named, a.similarity), reverse=True)
    return ranked[:limit]


def _doubles_a_neighbour(norm: list[str], at: tuple[int, int], phrase: list[str]) -> bool:
    before = [w for w in norm[: at[0]] if w][-1:]
    after = [w for w in norm[at[1] :] if w][:1]
    return before == phrase[:1] or after == phrase[-1:]


def _aligned(heard: list[str], phrase: list[str]) -> bool:
    """Words the heard span shares with the phrase must stand in the phrase's order, and each
    run of other heard words must become other phrase words: "It's on Exploder" -> "Song
    Exploder" respells "it's on" as "Song"; "open Invisibilia" -> "Invisibilia" would drop
    "open", and "Sconce porch" -> "Porch Sconce" would move a word."""
    return all(
        equal or (i1 < i2 and j1 < j2) for equal, (i1, i2), (j1, j2) in blocks(heard, phrase)
    )


def _located(alt: Alternative) -> tuple[list[str], tuple[int, int]]:
    """The alternative's words, and where its catalog phrase stands in them."""
    tokens = words(alt.text)
    phrase = words(alt.phrase.text)
    for start in range(len(tokens) - len(phrase) + 1):
        if tokens[start : start + len(phrase)] == phrase:
            return tokens, (start, start + len(phrase))
    return tokens, (0, len(tokens))
