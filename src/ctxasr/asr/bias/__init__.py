"""From the biased and unbiased decodings of a window and a plan, to one text.

The steps, one module each, applied in this order by ``ContextBiaser``:

1. ``rescoring``: silence by Whisper's rule; the best biased hypothesis after dropping those
   that echo the prompt or grow far beyond what the unbiased pass heard, rescored by a bonus
   per catalog phrase.
2. ``guard``: the unbiased words, with the biased spans that name a catalog phrase, sound like
   what they replace and are welcome where they stand; spans refused on sound alone become
   *contested* readings.
3. ``spellcheck`` and ``verdict``: catalog phrases that sound like a span of the text are spelled
   into it (and, after a question, each option read as the whole utterance; otherwise, with
   small catalogs, each entry in the text's request frame, or the entries a search of larger
   ones finds there: ``framed``); the decoder scores each reading and the verdict's rules
   decide which, if any, replaces the text.
4. ``answer``: a text that newly names an option of the assistant's question, but holds words
   that show it is about something else, or sounds clearly more like another option, gives
   way to the unbiased text; a short answer that names none, but sounds clearly like one
   option, is respelled as it.
5. ``canonical``: spans that sound like a catalog phrase take the catalog's spelling.

Shared by the steps: ``options`` (every threshold), ``readings`` (the typed values passed
between steps), ``expectations`` (what the assistant's last turn makes an answer), ``sound``
(likeness rules), ``frames`` (function and request words) and ``spans`` (text helpers).
"""

from __future__ import annotations

from collections.abc import Sequence

from ctxasr.asr.bias.answer import AnswerCheck
from ctxasr.asr.bias.canonical import Canonicalizer
from ctxasr.asr.bias.expectations import Expectations
from ctxasr.asr.bias.framed import FrameCut, FramedEntries
from ctxasr.asr.bias.guard import Guard
from ctxasr.asr.bias.options import BiasOptions
from ctxasr.asr.bias.readings import (
    Alternative,
    AudioChecks,
    Choice,
    EntityMatch,
    Merged,
    Scored,
)
from ctxasr.asr.bias.rescoring import Rescorer, is_clear_speech, is_silence
from ctxasr.asr.bias.sound import Likeness
from ctxasr.asr.bias.spans import catalog_phrases_in
from ctxasr.asr.bias.spellcheck import SpellCheck
from ctxasr.asr.bias.verdict import Verdict, in_one_span
from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context.phonetics import Pronouncer
from ctxasr.context.plan import ContextPlan
from ctxasr.text import words

__all__ = [
    "Alternative",
    "AudioChecks",
    "BiasOptions",
    "Choice",
    "ContextBiaser",
    "EntityMatch",
    "FrameCut",
    "Merged",
    "Scored",
    "catalog_phrases_in",
    "in_one_span",
    "is_clear_speech",
    "is_silence",
]


class ContextBiaser:
    """Applies one plan to the decodings of one utterance: the steps, assembled once. Not
    shared between recognitions (the spell check caches its lookups)."""

    def __init__(self, plan: ContextPlan, pronouncer: Pronouncer, options: BiasOptions) -> None:
        self.plan = plan
        self.pronouncer = pronouncer
        self.options = options
        expect = Expectations(plan, options)  # the answers the last assistant turn invites
        likeness = Likeness(pronouncer, options)  # how alike heard words and a phrase sound
        self.likeness = likeness
        self.rescorer = Rescorer(plan, options)  # 1: the biased hypothesis to weigh
        self.canonicalizer = Canonicalizer(plan, pronouncer, expect, options)  # 5: spelling
        self.guard = Guard(plan, expect, likeness, self.canonicalizer)  # 2: the merge
        self.spell_check = SpellCheck(plan, expect, likeness)  # 3a: readings to score
        self.framed = FramedEntries(expect, likeness)  # 3a: entries in the request frame
        self.verdict = Verdict(options, expect.asks_options)  # 3b: which scored reading wins
        self.answer_check = AnswerCheck(expect, likeness)  # 4: replies to a question only

    def choose(self, biased: Decoded, unbiased: Hypothesis) -> Hypothesis | None:
        """The best biased hypothesis after filtering echo and growth, rescored."""
        return self.rescorer.choose(biased, unbiased)

    def merge(self, unbiased: Decoded, chosen: Hypothesis, biased: Decoded) -> Merged:
        """The guard's merge of the unbiased words and the chosen biased hypothesis."""
        return self.guard.merge(unbiased, chosen, biased)

    def prepare(self, text: str) -> None:
        """Look up what the spans of ``text`` sound like ahead of the spell check."""
        self.spell_check.prepare(text)

    def alternatives(self, text: str, unbiased: Decoded) -> list[Alternative]:
        """The spell check's readings of ``text``: respellings and swaps."""
        return self.spell_check.alternatives(text, unbiased)

    def answer_readings(self, text: str, unbiased: Decoded) -> list[Alternative]:
        """``text`` read whole as each option of the assistant's question, if it names none."""
        return self.answer_check.whole_readings(text, [words(h.text) for h in unbiased.hypotheses])

    def framed_readings(
        self, text: str, unbiased: Decoded, answers: list[Alternative]
    ) -> list[Alternative]:
        """``text`` with each entry of small catalogs in its request frame, if it holds no word
        of one; after a question with options, with each short answer among ``answers`` (the
        text's ``answer_readings``) there."""
        return [
            *self.answer_check.framed_readings(text, answers),
            *self.framed.readings(text, [words(h.text) for h in unbiased.hypotheses]),
        ]

    def search_cuts(self, text: str, unbiased: Decoded) -> list[FrameCut]:
        """The cuts of ``text``'s request frame after which to search large catalogs for an
        entry, if it holds no word of one (none for small catalogs: ``framed_readings``)."""
        return self.framed.search_cuts(text, [words(h.text) for h in unbiased.hypotheses])

    def found_readings(self, cut: FrameCut, found: Sequence[str]) -> list[Alternative]:
        """The text with each entry ``found`` by the search after ``cut``."""
        return self.framed.found_readings(cut, found)

    def biased_alternatives(self, merged: Merged, unbiased: Decoded) -> list[Alternative]:
        """The spell check's readings of the biased text where the guard kept the unbiased."""
        return self.spell_check.biased_alternatives(merged, unbiased)

    def reads_the_speech(self, text: str, reading: str, speech_s: float) -> bool:
        """Whether ``reading``, in place of ``text`` (``speech_s`` seconds of speech), has
        syllables enough for the stretch of speech it reads anew: one that has not leaves it
        unread, whatever the decoder or the guard thinks of it."""
        return self.likeness.reads_the_speech(text, reading, speech_s)

    def audio_checks(self, text: str, prompted: Sequence[Scored]) -> list[AudioChecks]:
        """Which readings, scored with the prompt, also need their plain gain, and their
        language prior."""
        return self.verdict.audio_checks(text, prompted)

    def pick(self, scored: Sequence[Scored]) -> Alternative | None:
        """The reading the decoder believes more than the current text, if any."""
        return self.verdict.pick(scored)

    def objection(self, text: str, unbiased: str) -> str | None:
        """Why ``text``, newly naming an option of the assistant's question, is no reply to
        it: words about something else, or another option it sounds more like (None: none)."""
        return self.answer_check.objection(text, unbiased)

    def choice(self, text: str) -> Choice | None:
        """``text``, a short answer to the assistant's question that names no option, respelled
        as the option its words sound clearly like; None when there is none."""
        return self.answer_check.choice(text)

    def canonicalize(self, text: str) -> tuple[str, tuple[EntityMatch, ...]]:
        """``text`` respelled toward the catalogs, and every catalog phrase found in it."""
        return self.canonicalizer.canonicalize(text)
