"""From the biased and unbiased decodings of a window and a plan, to one text.

Four steps, each a small function:

1. ``choose``: rescore the biased n-best (mean log-prob + a bonus per catalog phrase) after
   dropping hypotheses that echo the prompt or grow far beyond what the unbiased pass heard.
2. ``merge``: the guard. Start from the unbiased words; take a differing span from the biased
   hypothesis (spelled as the catalogs spell it, by step 4's rules) only when it names a
   catalog phrase, sounds like the unbiased words it replaces (a homophone of a word heard
   anywhere in the sentence counts for nothing: "martial" is no evidence of "Marshall"), brings
   no stray part of another entry along (the prompt's list running on), and the biased decoder
   preferred it over any biased reading that kept those words. A span refused on sound alone
   becomes a *contested* reading for step 3, in each frame the biased n-best gave it.
3. ``alternatives`` and ``pick``: the spell check. Catalog phrases that sound like a span of the
   merged text are spelled into it, the decoder scores each reading by teacher forcing (with the
   context prompt), and the best replaces the text when the decoder believes it more. A beam
   search drops a rare name after its first unlikely token; scored whole, the name often wins.
   A contested reading must win clearly with the prompt and hold without it: spellings that
   look unalike ("Nursery eye", "Nursery Nightlight") can still be the same audio. A catalog
   phrase already in the text may be *swapped* for another entry ("Linh Lefebvre" for "Linh
   Mahmoud"): which of two entries was said is for the audio to tell, so a swap must win both
   with the prompt and without it.
4. ``canonicalize``: rewrite spans that *sound* like a catalog phrase to the catalog's spelling:
   homophones of whole entries ("Alpha" → "Alfa"), and spellings the lexicon does not know
   ("Shavon Okafor" → "Siobhan Okafor"). Real words are never respelled into a different-sounding
   entry ("power" stays "power"); only the decoder's own evidence (steps 2-3) can do that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cached_property

from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context.index import (
    ANSWER_FILLERS,
    STOPWORDS,
    IndexedPhrase,
    PhoneticIndex,
    PhoneticMatch,
)
from ctxasr.context.phonetics import Phones, Pronouncer, similarity
from ctxasr.context.plan import NAMED_IN_LAST_TURN, SHARES_WORDS_WITH_LAST_TURN, ContextPlan
from ctxasr.errors import ConfigError
from ctxasr.text import contains_phrase, normalize, words

_ALTERNATIVES_PER_SPAN = 5  # sound-alike catalog phrases tried for each span of the text
_SWAPS_PER_PHRASE = 8  # sound-alike catalog phrases tried in place of a phrase of the text
_REFRAMED_CONTESTS = 2  # other biased readings of a contested phrase that the decoder judges
# A misheard name often breaks into more words ("Okafor" -> "of a four"): spans of the text
# run up to this many words longer than the longest catalog phrase.
_SPLIT_WORDS = 2
_FRAME_SLACK = 2  # words beside its phrase that a reading may change and keep the frame


@dataclass(frozen=True)
class BiasOptions:
    # Rescoring: bonus (mean log-prob units) per distinct catalog phrase in a hypothesis.
    context_bonus: float = 0.1
    # Silence: Whisper's own rule (no-speech probability high and mean log-prob low).
    no_speech_prob: float = 0.6
    silence_logprob: float = -1.0
    # Guard: a run of this many words copied from the previous turns, absent from the unbiased
    # text, is prompt echo; the biased text may hold at most max_extra_words more words.
    echo_ngram: int = 3
    max_extra_words: int = 2
    # Guard: a transplanted span must sound at least this much like what it replaces, and its
    # hypothesis must beat the best biased hypothesis keeping the unbiased words by this margin.
    transplant_similarity: float = 0.4
    transplant_margin: float = 0.05
    # Guard: dictionary words that this share of the unbiased n-best agrees on are taken as
    # heard; a catalog phrase must sound at least protected_similarity like them to replace them.
    # 0.45 lies above the 75th percentile of chance likeness (random word runs vs random names:
    # 0.32-0.42 for 1-4 words); a small model is often sure of words that were never said
    # ("Cut your ears" for "Khachapuri"), so the bar is chance, not near-homophony.
    protect_support: float = 0.8
    protected_similarity: float = 0.45
    # Guard: the options the assistant just named are expected answers, so they need less.
    named_transplant_similarity: float = 0.3
    named_protected_similarity: float = 0.35
    # Guard: a part of an entry (a surname alone) only stands in a short answer: at an edge,
    # with at most this many other words, all of them answer fillers ("the one with", "please").
    part_answer_words: int = 3
    # Spell check: at most this many readings with a sound-alike catalog phrase (at least
    # transplant_similarity alike) are scored. One wins when its log-probability (nats, summed
    # over the reading) beats the current text's by more than alternative_margin; the options
    # the assistant just named get named_prior nats of head start, being expected answers.
    # 0 turns the decoder's scoring off: no spell check and no contests (below).
    max_alternatives: int = 8
    alternative_margin: float = 0.0
    named_prior: float = 1.0
    # ... but a dictionary word is never respelled into a part of an entry that sounds at least
    # this much like it ("martial" -> "Marshall"): the audio cannot tell them apart.
    homophone_similarity: float = 0.9
    # Contest: a biased span that the guard refused on sound alone (or an inserted catalog
    # phrase) still wins when the decoder prefers it by contest_margin nats given the context,
    # and loses at most contest_plain_loss nats given none: the audio allows it, the gap being
    # the price of a rare name. How alike two spellings sound is weaker evidence than the audio.
    contest_margin: float = 5.0
    contest_plain_loss: float = 10.0
    # ... or when the decoder without the prompt all but accepts it (loses at most
    # near_plain_loss nats, about two tokens) and with the prompt prefers it by near_margin.
    near_margin: float = 1.0
    near_plain_loss: float = 5.0
    # ... or when the audio itself prefers it: a rare name's plain loss is mostly the decoder's
    # language prior, so that prior (its score of each reading given no audio) is taken out;
    # what is left must gain at least prior_free_gain nats, and the prompt prior_free_margin.
    # Only for readings one span apart from the text (in_one_span): across frames the prior
    # weighs the frames, not the name.
    prior_free_margin: float = 3.0
    prior_free_gain: float = 0.0
    # Named answer: an option the assistant just named, one span apart from the text, also wins
    # when the audio prefers it (heard gain, as above, at least named_answer_heard nats) and the
    # prompted decoder prefers the text by at most named_answer_loss nats. Whisper's prompt is a
    # weak prior; the question ("X or Y?") made these words the expected answer.
    named_answer_heard: float = 1.0
    named_answer_loss: float = 8.0
    # Swap: at most this many readings trading a catalog phrase of the text for another; one
    # wins when the decoder prefers it by swap_margin nats with the prompt and by 0 without.
    max_swaps: int = 4
    swap_margin: float = 1.0
    # Biased respelling: at most this many readings of the biased pass's own text with a span
    # respelled as a catalog phrase ("So the number of Rania Boon." -> "... Rania Nguyen."). The
    # biased words are the prompt's taste, not evidence, so each is judged as a contest.
    max_biased_respellings: int = 4
    # Canonicalisation: unknown spellings snap to a catalog phrase at or above this similarity.
    respell_similarity: float = 0.8
    # ... or, in a short answer to "X or Y?", to the offered option they sound closest to, when
    # it sounds at least this much alike and this much more than any other offered entry.
    offered_respell_similarity: float = 0.6
    offered_respell_margin: float = 0.2

    def __post_init__(self) -> None:
        for name in (
            "transplant_similarity",
            "respell_similarity",
            "offered_respell_similarity",
            "offered_respell_margin",
            "no_speech_prob",
            "protect_support",
            "protected_similarity",
            "named_transplant_similarity",
            "named_protected_similarity",
            "homophone_similarity",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"BiasOptions.{name} must lie in [0, 1]")
        if self.echo_ngram < 2 or self.max_extra_words < 0:
            raise ConfigError("echo_ngram must be >= 2 and max_extra_words >= 0")
        if self.max_alternatives < 0 or self.named_prior < 0:
            raise ConfigError("max_alternatives and named_prior must be >= 0")
        if min(self.contest_margin, self.contest_plain_loss) < 0:
            raise ConfigError("contest_margin and contest_plain_loss must be >= 0")
        if min(self.near_margin, self.near_plain_loss, self.prior_free_margin) < 0:
            raise ConfigError("near_margin, near_plain_loss and prior_free_margin must be >= 0")
        if self.named_answer_loss < 0:
            raise ConfigError("named_answer_loss must be >= 0")
        if self.max_swaps < 0 or self.swap_margin < 0:
            raise ConfigError("max_swaps and swap_margin must be >= 0")
        if self.max_biased_respellings < 0:
            raise ConfigError("max_biased_respellings must be >= 0")


@dataclass(frozen=True)
class EntityMatch:
    catalog: str
    phrase: str  # the catalog's spelling, as it now stands in the text
    start: int  # character span in the recognised text
    end: int
    score: float  # 1.0 for an exact match, else the phonetic similarity
    respelled_from: str | None = None  # what the decoder had written, when respelled


@dataclass(frozen=True)
class Alternative:
    """A reading of the window with one span respelled as a catalog phrase."""

    text: str
    heard: str  # the words of the text it replaces
    phrase: IndexedPhrase
    similarity: float  # how alike the phrase and the heard words sound
    named: bool  # an option the assistant just named
    # A span of the biased pass that the guard refused on sound alone: it must convince the
    # decoder both with the context and without it.
    contested: bool = False
    # A catalog phrase already in the text traded for another: which of two entries was said
    # is a question for the audio, so the decoder must prefer it with and without the prompt.
    swapped: bool = False

    @property
    def plain_checked(self) -> bool:
        """Whether it must also hold when the decoder is scored without the context prompt."""
        return self.contested or self.swapped


@dataclass(frozen=True)
class Scored:
    """What the decoder makes of an alternative against the current text: log-prob gains
    (nats) with the context prompt, without it, and without it or the audio (its language
    prior). The last two are measured only where ``ContextBiaser.audio_checks`` asks: the plain
    gain for readings that must hold without the prompt and for named options that narrowly
    lose with it; the prior for those of them (less swaps) that differ from the text in one
    span (see ``in_one_span``)."""

    alternative: Alternative
    gain: float
    plain_gain: float | None = None
    prior_gain: float | None = None

    @property
    def heard_gain(self) -> float | None:
        """The plain gain with the language prior taken out: what the audio adds."""
        if self.plain_gain is None or self.prior_gain is None:
            return None
        return self.plain_gain - self.prior_gain


@dataclass(frozen=True)
class Merged:
    text: str
    transplanted: tuple[str, ...]  # biased spans taken over the unbiased words
    reason: str
    contested: tuple[Alternative, ...] = ()  # readings with one refused span put back
    biased: str = ""  # the chosen biased reading, spelled as the catalogs spell it


def is_silence(decoded: Decoded, options: BiasOptions) -> bool:
    best = decoded.best
    if not normalize(best.text):
        return True
    return decoded.no_speech_prob > options.no_speech_prob and best.score < options.silence_logprob


def is_clear_speech(decoded: Decoded, options: BiasOptions) -> bool:
    """Both of Whisper's signs say speech: a low no-speech probability *and* a confident
    reading (is_silence needs only one of them to call a window speech)."""
    best = decoded.best
    return (
        bool(normalize(best.text))
        and decoded.no_speech_prob <= options.no_speech_prob
        and best.score >= options.silence_logprob
    )


class ContextBiaser:
    """Applies one plan to the decodings of one utterance."""

    def __init__(self, plan: ContextPlan, pronouncer: Pronouncer, options: BiasOptions) -> None:
        self.plan = plan
        self.pronouncer = pronouncer
        self.options = options
        self._turns = [words(text) for text in plan.turn_texts]
        # Span text -> the catalog phrases nearest in sound (filled by prepare and the check).
        self._sounding: dict[str, list[PhoneticMatch]] = {}

    def _named(self, *phrases: IndexedPhrase) -> bool:
        """Whether one of ``phrases`` (the entries spelled one way) is an option the assistant
        just named, or shares words with its last turn: an expected answer."""
        return any(self.plan.relevance_of(p.entry) >= SHARES_WORDS_WITH_LAST_TURN for p in phrases)

    @cached_property
    def _offered(self) -> tuple[IndexedPhrase, ...]:
        """The phrases of the entries the assistant just named (looked up only when needed)."""
        index, plan = self.plan.index, self.plan
        return tuple(p for p in index.phrases if plan.relevance_of(p.entry) >= NAMED_IN_LAST_TURN)

    # -- 1. rescoring ----------------------------------------------------------------------

    def choose(self, biased: Decoded, unbiased: Hypothesis) -> Hypothesis | None:
        """The best biased hypothesis after filtering echo and growth, rescored."""
        unbiased_words = words(unbiased.text)
        best: Hypothesis | None = None
        best_score = float("-inf")
        for hypothesis in biased.hypotheses:
            hyp_words = words(hypothesis.text)
            if not hyp_words or len(hyp_words) > len(unbiased_words) + self.options.max_extra_words:
                continue
            if self._echoes(hyp_words, unbiased_words):
                continue
            found = catalog_phrases_in(hyp_words, self.plan.index)
            score = hypothesis.score + self.options.context_bonus * len(found)
            if score > best_score:
                best, best_score = hypothesis, score
        return best

    def _echoes(self, hyp_words: list[str], unbiased_words: list[str]) -> bool:
        """Whether a run of the previous turns' words, absent from the unbiased reading, was
        copied into the hypothesis. Catalog phrases do not count: repeating an option the
        assistant offered is an answer, not an echo."""
        n = self.options.echo_ngram
        entity = self._catalog_positions(hyp_words)
        for start in range(len(hyp_words) - n + 1):
            gram = hyp_words[start : start + n]
            if sum(i not in entity for i in range(start, start + n)) < 2:
                continue
            if contains_phrase(unbiased_words, gram):
                continue
            if any(contains_phrase(turn, gram) for turn in self._turns):
                return True
        return False

    def _catalog_positions(self, tokens: list[str], whole_only: bool = False) -> set[int]:
        """Indexes of the tokens that spell a catalog phrase (a whole entry, if ``whole_only``);
        tokens that normalise to nothing (a lone dash) are skipped inside a run."""
        index, covered = self.plan.index, set[int]()
        for start, end in _spans(len(tokens), index.max_words):
            run = " ".join(w for w in tokens[start:end] if w)
            found = index.exact(run) if run else []
            if found and (not whole_only or any(p.whole for p in found)):
                covered.update(range(start, end))
        return covered

    # -- 2. the guard ----------------------------------------------------------------------

    def merge(self, unbiased: Decoded, chosen: Hypothesis, biased: Decoded) -> Merged:
        """The unbiased words, with the biased spans that the guard lets through; a span it
        refused on sound alone is kept as a contested reading for the decoder to judge. The
        biased words are first spelled as the catalogs spell them: an invented spelling
        ("Bobobie") is the biased pass reaching for a name ("Bobotie")."""
        spelled, _ = self.canonicalize(chosen.text)
        u_tokens, b_tokens = unbiased.best.text.split(), spelled.split()
        u_norm = [normalize(t) for t in u_tokens]
        b_norm = [normalize(t) for t in b_tokens]
        nbest = [words(h.text) for h in unbiased.hypotheses]
        in_catalog = self._catalog_positions(b_norm)
        out: list[str] = []
        taken: list[str] = []
        refusals: list[str] = []
        contests: list[tuple[tuple[int, int], list[str], _Refusal]] = []
        for equal, (i1, i2), (j1, j2) in _blocks(u_norm, b_norm):
            if equal:
                for u_token, j in zip(u_tokens[i1:i2], range(j1, j2), strict=True):
                    out.append(
                        b_tokens[j] if j in in_catalog else _cased(out, u_token, b_tokens, j)
                    )
                continue
            block = _Block(u_norm[i1:i2], b_norm, (j1, j2), u_norm[:i1] + u_norm[i2:])
            refusal = self._transplant_refusal(block, chosen, biased, nbest)
            if refusal is None:
                out.extend(b_tokens[j1:j2])
                taken.append(" ".join(b_tokens[j1:j2]))
                continue
            if refusal.phrase is not None:
                contests.append(((len(out), len(out) + i2 - i1), b_tokens[j1:j2], refusal))
            out.extend(u_tokens[i1:i2])
            refusals.append(refusal.reason)
        if taken:
            reason = "context phrase confirmed by the audio"
        else:
            reason = "guard kept unbiased words" + (f" ({'; '.join(refusals)})" if refusals else "")
        contested = tuple(self._contest(out, *contest) for contest in contests)
        contested += _reframed(contested, biased)
        return Merged(" ".join(out), tuple(taken), reason, contested, spelled)

    def _contest(
        self, out: list[str], at: tuple[int, int], biased: list[str], refusal: _Refusal
    ) -> Alternative:
        """The merged text with one refused biased span put back."""
        text = " ".join([*out[: at[0]], *biased, *out[at[1] :]])
        spelled_so = self.plan.index.exact(refusal.phrase or "")
        phrase, named = _prefer_whole(spelled_so), self._named(*spelled_so)
        heard = " ".join(w for w in (normalize(t) for t in out[at[0] : at[1]]) if w)
        return Alternative(text, heard, phrase, refusal.similarity, named, contested=True)

    def _transplant_refusal(
        self, block: _Block, chosen: Hypothesis, biased: Decoded, nbest: list[list[str]]
    ) -> _Refusal | None:
        """Why the biased words of ``block`` may not replace the unbiased ones (None: they may).
        A refusal on sound alone names the catalog phrase: the decoder may still overrule it."""
        u_words = [w for w in block.u_span if w]
        b_words = [w for w in block.b_norm[block.b_range[0] : block.b_range[1]] if w]
        if not b_words:
            return _Refusal("inserted or dropped words")  # no audio evidence: keep unbiased
        found = self._covering_phrase(block)
        if found is None:
            return _Refusal("no catalog phrase" if u_words else "inserted or dropped words")
        (start, end), phrase = found
        overlap = min(end, block.b_range[1]) - max(start, block.b_range[0])
        if 2 * overlap < len(b_words):
            return _Refusal("mostly not a catalog phrase")
        if not self._welcome(phrase, block.b_norm, (start, end)):
            return _Refusal("a part of an entry outside a short answer")
        if self._carries_a_stray_part(block, (start, end)):
            return _Refusal("a stray part of another entry", phrase, 0.0)
        if not self._rest_sounds_alike(u_words, phrase.split(), _elsewhere(block, (start, end))):
            return _Refusal("a homophone of a heard word", phrase, 0.0)
        if not u_words:
            return _Refusal("inserted or dropped words", phrase, 0.0)
        return self._sound_refusal((u_words, b_words), chosen, biased, nbest, phrase)

    def _sound_refusal(
        self,
        heard_and_biased: tuple[list[str], list[str]],
        chosen: Hypothesis,
        biased: Decoded,
        nbest: list[list[str]],
        phrase: str,
    ) -> _Refusal | None:
        """The guard's judgement by sound of the block's unbiased and biased words: alike
        enough, not over confident words, a clear win."""
        u_words, b_words = heard_and_biased
        named = self._named(*self.plan.index.exact(phrase))
        options = self.options
        needed = options.named_transplant_similarity if named else options.transplant_similarity
        sound, heard = self._best_match(u_words, b_words)
        if sound < needed:
            return _Refusal(f"does not sound alike ({sound:.2f})", phrase, sound)
        protected = options.named_protected_similarity if named else options.protected_similarity
        if self._protected(heard, nbest) and sound < protected:
            return _Refusal(f"confident words ({sound:.2f})", phrase, sound)
        keeping = [h.score for h in biased.hypotheses if contains_phrase(words(h.text), u_words)]
        if keeping and chosen.score - max(keeping) < self.options.transplant_margin:
            return _Refusal("narrow win", phrase, sound)
        return None

    def _covering_phrase(self, block: _Block) -> tuple[tuple[int, int], str] | None:
        """The longest catalog phrase occurrence in the biased words overlapping the block."""
        hyp = block.b_norm
        lo, hi = block.b_range
        best: tuple[tuple[int, int], str] | None = None
        for size in range(min(self.plan.index.max_words, len(hyp)), 0, -1):
            for start in range(max(0, lo - size + 1), min(hi, len(hyp) - size + 1)):
                run = " ".join(hyp[start : start + size])
                if self.plan.index.exact(run) and (best is None or size > best[0][1] - best[0][0]):
                    best = ((start, start + size), run)
            if best is not None:
                return best
        return None

    def _carries_a_stray_part(self, block: _Block, phrase_at: tuple[int, int]) -> bool:
        """Whether the block's other biased words hold a part of an entry that is not welcome
        where it stands ("Kwame Barr, Ravi." for "I come out near me."): the prompt's list
        running on, not something heard."""
        b_norm = block.b_norm
        for i in range(*block.b_range):
            word = b_norm[i]
            if phrase_at[0] <= i < phrase_at[1] or not self.plan.index.exact(word):
                continue
            if not self._welcome(word, b_norm, (i, i + 1)):
                return True
        return False

    def _protected(self, heard: list[str], nbest: list[list[str]]) -> bool:
        if not all(self.pronouncer.in_lexicon(w) for w in heard):
            return False  # an invented spelling is evidence of a name, not of a word
        support = sum(contains_phrase(h, heard) for h in nbest) / max(1, len(nbest))
        return support >= self.options.protect_support

    def _welcome(self, phrase: str, b_norm: list[str], at: tuple[int, int]) -> bool:
        """Whole entries are welcome anywhere; parts only as (most of) a short answer, and not
        a part that every option just named shares."""
        matches = self.plan.index.exact(phrase)
        if any(m.whole for m in matches):
            return True
        if not any(self.plan.relevance_of(m.entry) > 0 for m in matches):
            return False
        return self._answers(phrase, b_norm, at)

    def _answers(self, part: str, tokens: list[str], at: tuple[int, int]) -> bool:
        """Whether ``part``, standing at ``at`` of ``tokens``, is a short answer that chooses
        among the options (see ``_is_answer`` and ``_answers_nothing``)."""
        return self._is_answer(tokens, at) and not self._answers_nothing(part)

    @cached_property
    def _offered_entries(self) -> tuple[list[str], ...]:
        """The words of each entry the assistant just named."""
        return tuple(words(entry) for entry in dict.fromkeys(p.entry for p in self._offered))

    def _answers_nothing(self, part: str) -> bool:
        """Whether every option the assistant just named (two or more) holds ``part``: after
        "Hana Aguilar or Hana Haddad?", "Hana." would choose neither, so it is no answer."""
        entries, part_words = self._offered_entries, words(part)
        return len(entries) >= 2 and all(contains_phrase(e, part_words) for e in entries)

    def _is_answer(self, tokens: list[str], at: tuple[int, int]) -> bool:
        """The words at ``at`` stand at an edge of a short utterance of answer fillers."""
        others = [w for i, w in enumerate(tokens) if w and not at[0] <= i < at[1]]
        at_edge = at[0] == 0 or at[1] >= len(tokens)
        return (
            at_edge
            and len(others) <= self.options.part_answer_words
            and all(w in ANSWER_FILLERS for w in others)
        )

    def _best_match(self, u_words: list[str], b_words: list[str]) -> tuple[float, list[str]]:
        """The run of unbiased words that sounds most like the biased words, and how much."""
        b_sound = self.pronouncer.phrase(" ".join(b_words))
        best, heard = -1.0, u_words
        for first in range(len(u_words)):
            for last in range(first + 1, len(u_words) + 1):
                run = u_words[first:last]
                sound = similarity(self.pronouncer.phrase(" ".join(run)), b_sound)
                if sound > best:
                    best, heard = sound, run
        return best, heard

    # -- 3. the spell check ----------------------------------------------------------------

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
            for equal, _, (j1, j2) in _blocks([normalize(t) for t in merged.text.split()], norm)
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
        recognised = self._catalog_positions(norm, whole_only=True)
        nbest = [words(h.text) for h in unbiased.hypotheses]
        found: dict[str, Alternative] = {}
        for start, end in _spans(len(tokens), self.plan.index.max_words + _SPLIT_WORDS):
            if recognised.intersection(range(start, end)):
                continue  # a whole entry already stands there: not a mishearing to repair
            if within is not None and not within.intersection(range(start, end)):
                continue
            for alternative in self._alternatives_at(tokens, norm, (start, end)):
                if self._allowed(alternative, present, nbest):
                    found.setdefault(alternative.text, alternative)
        return _best_first(found.values(), len(found))

    def _swaps(self, tokens: list[str], norm: list[str], present: set[str]) -> list[Alternative]:
        """Readings with a catalog phrase of the text traded for another phrase of the same
        kind (whole entry or part) that sounds like it or that the assistant just offered:
        "Linh Lefebvre" for "Linh Mahmoud" when the biased beam ranked the two nearly level."""
        index, found = self.plan.index, dict[str, Alternative]()
        for start, end in _spans(len(tokens), index.max_words):
            span = norm[start:end]
            if not all(span):
                continue
            run = " ".join(span)
            standing = index.exact(run)
            if not standing:
                continue
            whole = any(p.whole for p in standing)
            if not whole and not self._is_answer(norm, (start, end)):
                continue
            heard = self.pronouncer.phrase(run)
            near = [(m.phrase, m.similarity) for m in index.nearest(heard, _SWAPS_PER_PHRASE)]
            offered = [(p, similarity(heard, p.prons)) for p in self._offered]
            for phrase, alike in [*near, *offered]:
                if phrase.whole != whole or normalize(phrase.text) in present:
                    continue
                if not whole and self._answers_nothing(phrase.text):
                    continue
                named = self._named(phrase)
                if not named and alike < self.options.transplant_similarity:
                    continue
                text = _respelled(tokens, (start, end), phrase.text)
                found.setdefault(text, Alternative(text, run, phrase, alike, named, swapped=True))
        return _best_first(found.values(), self.options.max_swaps)

    def prepare(self, text: str) -> None:
        """Look up what each span of ``text`` sounds like in the catalogs ahead of the spell
        check, which then finds ready the spans it shares with ``text``: run on the unbiased
        reading while the biased pass decodes (a large catalog's search is the slow part)."""
        norm = [normalize(t) for t in text.split()]
        for start, end in _spans(len(norm), self.plan.index.max_words + _SPLIT_WORDS):
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
        self, tokens: list[str], norm: list[str], at: tuple[int, int]
    ) -> list[Alternative]:
        span = norm[at[0] : at[1]]
        if not all(span):
            return []  # a lone punctuation mark: not a word to respell
        found = []
        for match in self._sounding_like(" ".join(span)):
            phrase = match.phrase
            if not _fits(span, phrase, split_words=_SPLIT_WORDS):
                continue
            if _doubles_a_neighbour(norm, at, words(phrase.text)):
                continue  # "porch Porch Sconce": the span with its neighbour is the candidate
            text = _respelled(tokens, at, phrase.text)
            named = self._named(phrase)
            found.append(Alternative(text, " ".join(span), phrase, match.similarity, named))
        return found

    def _allowed(self, alt: Alternative, present: set[str], nbest: list[list[str]]) -> bool:
        """The guard's rules, applied before the decoder is asked."""
        options, heard = self.options, alt.heard.split()
        phrase_words = words(alt.phrase.text)
        if normalize(alt.phrase.text) in present or not _aligned(heard, phrase_words):
            return False  # already in the text, or it would drop or move words it has
        if alt.similarity < (
            options.named_transplant_similarity if alt.named else options.transplant_similarity
        ):
            return False
        lexical = all(self.pronouncer.in_lexicon(w) for w in heard if not w.isdigit())
        if lexical and not alt.phrase.whole and alt.similarity >= options.homophone_similarity:
            return False
        if not alt.phrase.whole and not self._answers(alt.phrase.text, *_located(alt)):
            return False
        if not self._rest_sounds_alike(heard, phrase_words):
            return False
        named, plain = options.named_protected_similarity, options.protected_similarity
        protected = named if alt.named else plain
        return not (self._protected(heard, nbest) and alt.similarity < protected)

    def _rest_sounds_alike(
        self, heard: list[str], phrase_words: list[str], elsewhere: Sequence[str] = ()
    ) -> bool:
        """When a word of the phrase is a homophone of a heard dictionary word ("Linh Marshall"
        for "play a martial"), that word is no evidence: the rest must sound alike on its own,
        beyond chance (protected_similarity). A homophone heard ``elsewhere`` in the sentence
        counts too: "Zofia Carr to the car." took "Carr" from the "car" it kept."""
        bar = self.options.homophone_similarity
        for p_word in phrase_words:
            for h_word in [*heard, *elsewhere]:
                if not self.pronouncer.in_lexicon(h_word):
                    continue
                if similarity(self.pronouncer.phrase(p_word), self.pronouncer.phrase(h_word)) < bar:
                    continue
                rest_p = " ".join(w for w in phrase_words if w != p_word)
                rest_h = " ".join(w for w in heard if w != h_word)
                if not rest_p:
                    return True  # the phrase is that homophone: the homophone rule judges it
                alike = similarity(self.pronouncer.phrase(rest_p), self.pronouncer.phrase(rest_h))
                return bool(rest_h) and alike >= self.options.protected_similarity
        return True

    def audio_checks(self, text: str, judged: Scored) -> tuple[bool, bool]:
        """Whether ``pick`` needs the alternative's gain without the prompt, and its gain
        without prompt or audio (its language prior), given its gain with the prompt."""
        alternative = judged.alternative
        answer = self._may_answer(judged)
        framed = (alternative.contested or answer) and in_one_span(text, alternative)
        return alternative.plain_checked or answer, framed

    def _may_answer(self, judged: Scored) -> bool:
        """A named option that the prompted decoder refuses by no more than named_answer_loss
        nats (named_prior included): the audio may still decide for it (``_wins_answer``)."""
        alternative, options = judged.alternative, self.options
        if not alternative.named or alternative.plain_checked:
            return False
        gain = judged.gain + options.named_prior
        return -options.named_answer_loss <= judged.gain and gain <= options.alternative_margin

    def pick(self, scored: Sequence[Scored]) -> Alternative | None:
        """The alternative the decoder believes more than the current reading, if any. A
        contested or swapped reading must also hold without the prompt (see ``Scored``)."""
        best, best_gain = None, -math.inf
        for judged in scored:
            alternative = judged.alternative
            gain = judged.gain + (self.options.named_prior if alternative.named else 0.0)
            if alternative.contested:
                won = self._wins_contest(gain, judged)
            elif alternative.swapped:
                won = self._wins_swap(judged)
            else:
                won = gain > self.options.alternative_margin or self._wins_answer(judged)
            if won and gain > best_gain:
                best, best_gain = alternative, gain
        return best

    def _wins_answer(self, judged: Scored) -> bool:
        heard = judged.heard_gain
        return (
            self._may_answer(judged)
            and heard is not None
            and heard >= self.options.named_answer_heard
        )

    def _wins_swap(self, judged: Scored) -> bool:
        plain_gain = judged.plain_gain
        return (
            plain_gain is not None and judged.gain >= self.options.swap_margin and plain_gain >= 0
        )

    def _wins_contest(self, gain: float, judged: Scored) -> bool:
        options, plain_gain = self.options, judged.plain_gain
        if plain_gain is None:
            return False
        if gain >= options.contest_margin and plain_gain >= -options.contest_plain_loss:
            return True
        if gain >= options.near_margin and plain_gain >= -options.near_plain_loss:
            return True
        heard = judged.heard_gain
        return (
            gain >= options.prior_free_margin
            and heard is not None
            and heard >= options.prior_free_gain
        )

    # -- 4. canonicalisation ---------------------------------------------------------------

    def canonicalize(self, text: str) -> tuple[str, tuple[EntityMatch, ...]]:
        """Respell spans that sound like catalog phrases; report every catalog phrase found."""
        tokens = text.split()
        pieces: list[_Piece] = []
        position = 0
        while position < len(tokens):
            step, piece = self._match_at(tokens, position)
            pieces.append(piece)
            position += step
        return _assemble(pieces)

    def _match_at(self, tokens: list[str], position: int) -> tuple[int, _Piece]:
        index = self.plan.index
        longest = min(index.max_words + 1, len(tokens) - position)
        for size in range(longest, 0, -1):
            span = tokens[position : position + size]
            span_text = normalize(" ".join(span))
            if not span_text:
                continue
            exact = index.exact(span_text)
            if exact:
                return size, _Piece(" ".join(span), _prefer_whole(exact), 1.0)
            found = self._respelling(
                span_text, answer_like=self._answer_like(tokens, position, size)
            )
            if found is not None:
                phrase, score = found
                respelled = _keep_punctuation(tokens, (position, position + size), phrase.text)
                return size, _Piece(respelled, phrase, score, " ".join(span))
        return 1, _Piece(tokens[position])

    def _answer_like(self, tokens: list[str], position: int, size: int) -> bool:
        return self._is_answer([normalize(t) for t in tokens], (position, position + size))

    def _respelling(self, span_text: str, answer_like: bool) -> tuple[IndexedPhrase, float] | None:
        index, plan = self.plan.index, self.plan
        span_words = span_text.split()
        unknown = any(not self.pronouncer.in_lexicon(w) for w in span_words if not w.isdigit())
        prons = self.pronouncer.phrase(span_text)
        for phrase in index.homophones(prons):
            # A part (a surname alone) that is also an English word ("Paige", "Carr") takes
            # the catalog's spelling only as a short answer, never mid-sentence.
            named = plan.relevance_of(phrase.entry) > 0 and answer_like
            if phrase.whole or unknown or named:
                return phrase, 1.0
        if not unknown:
            return None  # real words keep their spelling unless they are homophones
        if span_words[0] in STOPWORDS or span_words[-1] in STOPWORDS:
            return None  # names do not start or end with "the", "on", "of"...
        for match in index.nearest(prons, limit=1):
            phrase = match.phrase
            if match.similarity < self.options.respell_similarity or not _fits(span_words, phrase):
                continue
            if self._swallows_a_word(span_words, phrase):
                continue
            named = plan.relevance_of(phrase.entry) > 0 and answer_like
            if phrase.whole or phrase.n_words > 1 or named:
                return phrase, match.similarity
        return self._offered_option(span_words, prons) if answer_like else None

    def _swallows_a_word(self, span_words: list[str], phrase: IndexedPhrase) -> bool:
        """Whether respelling the span as a shorter phrase would drop a dictionary word at its
        edge ("Call Siobhan Okafor" is not a spelling of "Siobhan Okafor")."""
        if phrase.n_words >= len(span_words):
            return False
        return any(self.pronouncer.in_lexicon(w) for w in (span_words[0], span_words[-1]))

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
            for p in self._offered
            if _fits(span_words, p) and not self._swallows_a_word(span_words, p)
        ]
        scored = sorted(
            ((similarity(prons, p.prons), p) for p in offered),
            key=lambda pair: (pair[0], pair[1].whole),
            reverse=True,
        )
        if not scored:
            return None
        best_score, best = scored[0]
        rival = max((s for s, p in scored if p.entry != best.entry), default=0.0)
        options = self.options
        if (
            best_score >= options.offered_respell_similarity
            and best_score - rival >= options.offered_respell_margin
        ):
            return best, best_score
        return None


def _reframed(contests: tuple[Alternative, ...], biased: Decoded) -> tuple[Alternative, ...]:
    """The biased n-best's other readings of a contested phrase: the beam ranks the words
    around a name by the prompt's taste ("Please, Snap Judgment." over "Play Snap Judgment."),
    and those words are for the audio to judge too."""
    seen = {tuple(words(contest.text)) for contest in contests}
    found: list[Alternative] = []
    for contest in contests:
        phrase_words = words(contest.phrase.text)
        for hypothesis in biased.hypotheses:
            reading = tuple(words(hypothesis.text))
            if reading in seen or not contains_phrase(list(reading), phrase_words):
                continue
            seen.add(reading)
            found.append(replace(contest, text=hypothesis.text))
    return tuple(found[:_REFRAMED_CONTESTS])


def in_one_span(text: str, alternative: Alternative) -> bool:
    """Whether ``alternative`` differs from ``text`` in one run of words: its phrase and at
    most _FRAME_SLACK words beside it, for words that a respelling may stand for (the phrase,
    _SPLIT_WORDS more, and the slack). Only then does taking the language prior out leave the
    audio's say on the phrase: across two frames it mostly weighs the frames ("We don't play,
    but we don't play." is so likely to the decoder that any other sentence seemed to gain by
    the audio)."""
    reading = words(alternative.text)
    changed = [(i, j) for equal, i, j in _blocks(words(text), reading) if not equal]
    if len(changed) > 1:
        return False
    if not changed:
        return True
    (i1, i2), (j1, j2) = changed[0]
    phrase = len(words(alternative.phrase.text))
    return j2 - j1 <= phrase + _FRAME_SLACK and i2 - i1 <= phrase + _SPLIT_WORDS + _FRAME_SLACK


def _elsewhere(block: _Block, phrase_at: tuple[int, int]) -> list[str]:
    """The unbiased words around ``block``, less those the phrase at ``phrase_at`` shares with
    the unbiased text ("Gasoline" of "cost to go Gasoline" is the phrase's own word)."""
    around = list(block.u_elsewhere)
    for word in block.b_norm[phrase_at[0] : phrase_at[1]]:
        if word in around:
            around.remove(word)
    return around


def _blocks(
    u_norm: list[str], b_norm: list[str]
) -> list[tuple[bool, tuple[int, int], tuple[int, int]]]:
    """Alignment blocks (equal?, unbiased range, biased range); adjacent differences joined."""
    blocks: list[tuple[bool, tuple[int, int], tuple[int, int]]] = []
    matcher = SequenceMatcher(None, u_norm, b_norm, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        equal = tag == "equal"
        u_start, b_start = i1, j1
        if blocks and not equal and not blocks[-1][0]:
            _, (u_start, _), (b_start, _) = blocks.pop()
        blocks.append((equal, (u_start, i2), (b_start, j2)))
    return blocks


@dataclass(frozen=True)
class _Refusal:
    """Why the guard kept the unbiased words of a block; ``phrase`` is set when it refused a
    catalog phrase on sound alone, which the decoder's scores may overrule."""

    reason: str
    phrase: str | None = None
    similarity: float = 0.0


@dataclass(frozen=True)
class _Block:
    """A differing stretch: the unbiased words, and where it lies in the biased words."""

    u_span: list[str]
    b_norm: list[str]
    b_range: tuple[int, int]
    u_elsewhere: list[str]  # the unbiased words around the block


@dataclass(frozen=True)
class _Piece:
    """A run of output tokens, and the catalog phrase it is, if any."""

    text: str
    phrase: IndexedPhrase | None = None
    score: float = 0.0
    respelled_from: str | None = None


def catalog_phrases_in(hyp_words: list[str], index: PhoneticIndex) -> set[str]:
    """Distinct catalog phrases occurring as whole-word runs in ``hyp_words``."""
    found = set()
    for start, end in _spans(len(hyp_words), index.max_words):
        run = " ".join(hyp_words[start:end])
        if index.exact(run):
            found.add(run)
    return found


def _best_first(alternatives: Iterable[Alternative], limit: int) -> list[Alternative]:
    """The named options first, then the most alike; at most ``limit``."""
    ranked = sorted(alternatives, key=lambda a: (a.named, a.similarity), reverse=True)
    return ranked[:limit]


def _spans(length: int, longest: int) -> Iterator[tuple[int, int]]:
    """Every run (start, end) of at most ``longest`` items of a sequence, shortest first."""
    for size in range(1, min(longest, length) + 1):
        for start in range(length - size + 1):
            yield start, start + size


def _doubles_a_neighbour(norm: list[str], at: tuple[int, int], phrase: list[str]) -> bool:
    before = [w for w in norm[: at[0]] if w][-1:]
    after = [w for w in norm[at[1] :] if w][:1]
    return before == phrase[:1] or after == phrase[-1:]


def _aligned(heard: list[str], phrase: list[str]) -> bool:
    """Words the heard span shares with the phrase must stand where the phrase has them
    ("pork Scots" -> "Porch Sconce" is fine, "open Invisibilia" -> "Invisibilia" is not)."""
    if not set(heard) & set(phrase):
        return True
    return len(heard) == len(phrase) and all(
        h == p for h, p in zip(heard, phrase, strict=True) if h in phrase or p in heard
    )


def _located(alt: Alternative) -> tuple[list[str], tuple[int, int]]:
    """The alternative's words, and where its catalog phrase stands in them."""
    tokens = words(alt.text)
    phrase = words(alt.phrase.text)
    for start in range(len(tokens) - len(phrase) + 1):
        if tokens[start : start + len(phrase)] == phrase:
            return tokens, (start, start + len(phrase))
    return tokens, (0, len(tokens))


def _fits(span_words: list[str], phrase: IndexedPhrase, split_words: int = 1) -> bool:
    """Whether a run of ``span_words`` could be ``phrase`` misheard (word counts about match;
    a name may break into up to ``split_words`` more words)."""
    return phrase.n_words <= len(span_words) + 2 and len(span_words) <= phrase.n_words + split_words


def _prefer_whole(phrases: list[IndexedPhrase]) -> IndexedPhrase:
    return next((p for p in phrases if p.whole), phrases[0])


def _cased(out: list[str], u_token: str, b_tokens: list[str], j: int) -> str:
    """The biased spelling of a word both passes heard (not a catalog's), unless its capital
    only marks where the biased sentence began and the merged text goes on there ("No, but
    Please."): the decoder that scores the merged text reads it as a new sentence."""
    b_token = b_tokens[j]
    if b_token == u_token or b_token.lower() != u_token.lower():
        return b_token
    moved = _opens_sentence(b_tokens, j) and not _opens_sentence(out, len(out))
    return u_token if moved else b_token


def _opens_sentence(tokens: list[str], i: int) -> bool:
    return i == 0 or tokens[i - 1].endswith((".", "!", "?"))


def _respelled(tokens: list[str], at: tuple[int, int], replacement: str) -> str:
    """``tokens`` joined, with the span ``at`` replaced by ``replacement`` (its marks kept)."""
    respelled = _keep_punctuation(tokens, at, replacement)
    return " ".join([*tokens[: at[0]], respelled, *tokens[at[1] :]])


def _keep_punctuation(tokens: list[str], at: tuple[int, int], replacement: str) -> str:
    """``replacement`` with the opening and closing marks of the span ``at`` of ``tokens``. A
    comma inside a span that more words follow ("No, but please" -> "Novak, please") is its
    pause: the decoder scores the reading without it as a run-on sentence."""
    span = tokens[at[0] : at[1]]
    followed = at[1] < len(tokens)
    lead = span[0][: len(span[0]) - len(span[0].lstrip("\"'([{"))]
    core = span[-1].rstrip(".,!?;:\"')]}")
    tail = span[-1][len(core) :]
    if not tail and followed and any(token.endswith(",") for token in span[:-1]):
        tail = ","
    return f"{lead}{replacement}{tail}"


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
