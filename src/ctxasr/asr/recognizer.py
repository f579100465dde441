"""The contextual recognizer: audio + dialogue context → ``Recognition``.

Per 30-second window: encode once; decode without a prompt (the unbiased reading) and, when a
context is present, with the plan's prompt and an n-best list; let the guard merge the two. Then
respell the whole text toward the catalogs. Every stage is timed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any, Generic, TypeVar

import numpy as np

from ctxasr.asr.audio import Audio, AudioSource, load_audio
from ctxasr.asr.background import Background
from ctxasr.asr.bias import (
    Alternative,
    BiasOptions,
    ContextBiaser,
    EntityMatch,
    FrameCut,
    Merged,
    Scored,
    is_clear_speech,
    is_silence,
)
from ctxasr.asr.engine import (
    Decoded,
    DecodeOptions,
    EncodedChunk,
    EngineOptions,
    ReadingScorer,
    WhisperEngine,
)
from ctxasr.asr.models import ModelError
from ctxasr.asr.trie import EntryTrie, PhraseTrie, TrieOptions
from ctxasr.context.index import PhoneticIndex, phrases_of
from ctxasr.context.model import Catalog, DialogueContext
from ctxasr.context.phonetics import Pronouncer
from ctxasr.context.plan import (
    SHARES_WORDS_WITH_LAST_TURN,
    ContextPlan,
    PlanOptions,
    build_plan,
    catalog_alone,
    focus_catalogs,
    refocus_plan,
)
from ctxasr.errors import ConfigError
from ctxasr.text import normalize

logger = logging.getLogger(__name__)

T = TypeVar("T")

SILENCE_RMS = 1e-4  # below this (about -80 dBFS) a window is taken as digital silence


@dataclass(frozen=True)
class RecognizerOptions:
    engine: EngineOptions = field(default_factory=EngineOptions)
    # Beam search of both passes; the biased pass returns this many hypotheses for rescoring.
    beam_size: int = 5
    nbest: int = 5
    # The biased pass's beam where it runs beside the unbiased one (None: beam_size): a rare
    # name's first tokens are unlikely even with the prompt, and a narrow beam drops the name
    # there. A biased pass that waits for a refocused prompt keeps beam_size (its time adds up).
    biased_beam_size: int | None = 10
    plan: PlanOptions = field(default_factory=PlanOptions)
    bias: BiasOptions = field(default_factory=BiasOptions)
    # Token-level biasing of the biased pass (a catalog trie in a PyTorch decoder). Off by
    # default: it finds more names but the guard lets more false ones through (README).
    trie: TrieOptions | None = None
    # Phonetic indexes of recently seen catalogs, kept for reuse across utterances.
    index_cache_size: int = 32

    def __post_init__(self) -> None:
        if not 1 <= self.nbest <= self.beam_size:
            raise ConfigError("need 1 <= nbest <= beam_size")
        if self.biased_beam_size is not None and self.biased_beam_size < self.nbest:
            raise ConfigError("need nbest <= biased_beam_size")

    @classmethod
    def for_model(cls, model: str, token_bias: bool = False) -> RecognizerOptions:
        """The defaults for ``model``, with the catalog trie when ``token_bias`` (the CLI's
        ``--model`` and ``--token-bias``)."""
        return cls(engine=EngineOptions(model=model), trie=TrieOptions() if token_bias else None)


@dataclass(frozen=True)
class StageTimings:
    audio_ms: float = 0.0
    plan_ms: float = 0.0
    encode_ms: float = 0.0
    unbiased_decode_ms: float = 0.0
    biased_decode_ms: float = 0.0
    bias_ms: float = 0.0
    spell_check_ms: float = 0.0  # scoring catalog respellings by teacher forcing
    total_ms: float = 0.0


@dataclass(frozen=True)
class Recognition:
    text: str
    entities: tuple[EntityMatch, ...]  # catalog phrases in ``text``
    context_used: bool  # a context plan was applied to this utterance
    reason: str  # why the context changed the text, or why it was not used
    unbiased_text: str | None  # the no-context reading, when it differs from ``text``
    biased_text: str | None  # the context-biased reading the guard weighed, when it differs
    timings: StageTimings

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "entities": [asdict(e) for e in self.entities],
            "context_used": self.context_used,
            "reason": self.reason,
            "unbiased_text": self.unbiased_text,
            "biased_text": self.biased_text,
            "timings_ms": asdict(self.timings),
        }


class Recognizer:
    """Loads its model once; ``recognize`` is safe to call from several threads."""

    def __init__(
        self,
        options: RecognizerOptions | None = None,
        engine: WhisperEngine | None = None,  # the ASR engine (Whisper via CTranslate2)
        pronouncer: Pronouncer | None = None,  # word → phones, for matching and respelling
    ) -> None:
        self.options = options or RecognizerOptions()
        self.engine = engine or WhisperEngine(self.options.engine)
        self.pronouncer = pronouncer or Pronouncer()
        size = self.options.index_cache_size
        self._indexes: _Recent[PhoneticIndex] = _Recent(size)  # phonetic index per catalogs
        self._tries: _Recent[EntryTrie] = _Recent(size)  # entries as tokens, for the search

    def plan(
        self,
        context: DialogueContext,
        similarity: Mapping[str, float] | None = None,  # entry -> closeness in meaning
    ) -> ContextPlan:
        """The recognition plan for ``context`` (can be built ahead, e.g. during a reply)."""
        index = self._index(context.catalogs)
        return build_plan(context, self.engine.tokenize, index, self.options.plan, similarity)

    def recognize(
        self,
        audio: Audio | AudioSource,
        context: DialogueContext | ContextPlan | None = None,
        pcm_rate: int | None = None,
    ) -> Recognition:
        started = time.perf_counter()
        samples = audio if isinstance(audio, np.ndarray) else load_audio(audio, pcm_rate)
        audio_ms = _ms_since(started)
        plan_start = time.perf_counter()
        plan = self.plan(context) if isinstance(context, DialogueContext) else context
        if plan is not None and plan.context.is_empty:
            plan = None
        plan_ms = _ms_since(plan_start)
        run = _Run(self, plan)
        if float(np.sqrt(np.mean(np.square(samples)))) >= SILENCE_RMS:
            run.windows(samples)
        timings = StageTimings(
            audio_ms=audio_ms,
            plan_ms=plan_ms,
            encode_ms=run.encode_ms,
            unbiased_decode_ms=run.unbiased_ms,
            biased_decode_ms=run.biased_ms,
            bias_ms=run.bias_ms,
            spell_check_ms=run.check_ms,
            total_ms=_ms_since(started),
        )
        return run.result(timings)

    def _index(self, catalogs: tuple[Catalog, ...]) -> PhoneticIndex:
        return self._indexes.get(
            catalogs,
            lambda: PhoneticIndex(catalogs, self.pronouncer, self.options.plan.index_parts),
        )

    def entry_trie(self, plan: ContextPlan) -> EntryTrie:
        """The plan's catalog entries as tokens (built on first need, kept like the index)."""
        return self._tries.get(
            plan.context.catalogs,
            lambda: EntryTrie([p.text for p in plan.index.entries], self.engine.tokenize),
        )


class _Recent(Generic[T]):
    """What was built for the most recently used catalogs, up to ``size`` of them; safe to
    share between threads (two may build the same value at once: either is kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Catalog, ...], T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, catalogs: tuple[Catalog, ...], build: Callable[[], T]) -> T:
        with self._lock:
            value = self._values.get(catalogs)
            if value is not None:
                self._values.move_to_end(catalogs)
                return value
        value = build()
        with self._lock:
            self._values[catalogs] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


class _Run:
    """The work of one ``recognize`` call (never shared between threads)."""

    def __init__(self, recognizer: Recognizer, plan: ContextPlan | None) -> None:
        options = recognizer.options
        self.engine = recognizer.engine
        self.entry_trie = recognizer.entry_trie
        self.plan = plan
        self.bias_options = options.bias
        self.plan_options = options.plan
        self.trie_options = options.trie
        self.biaser = ContextBiaser(plan, recognizer.pronouncer, options.bias) if plan else None
        # The unbiased n-best tells the guard which words the recognizer was sure of.
        self.unbiased_opts = DecodeOptions(
            beam_size=options.beam_size, num_hypotheses=options.nbest
        )
        # The wider biased beam is free while that pass runs beside the unbiased one; a pass
        # that waits for the unbiased reading (a refocused prompt) keeps the plain beam.
        wide = options.biased_beam_size if self._biased_first() else None
        self.biased_opts = DecodeOptions(
            beam_size=wide or options.beam_size, num_hypotheses=options.nbest
        )
        self.texts: list[str] = []
        self.unbiased_texts: list[str] = []
        self.biased_texts: list[str] = []
        self.reasons: list[str] = []
        self.encode_ms = self.unbiased_ms = self.biased_ms = self.bias_ms = self.check_ms = 0.0

    def windows(self, samples: Audio) -> None:
        start = time.perf_counter()
        chunks = self.engine.encode(samples)
        self.encode_ms = _ms_since(start)
        for chunk in chunks:
            # The biased pass starts beside the unbiased one unless it needs the latter's
            # reading to refocus its prompt (catalogs overflowing it).
            early = Background(self._biased, chunk, self.plan) if self._biased_first() else None
            start = time.perf_counter()
            unbiased = self.engine.decode(chunk, self.unbiased_opts)
            self.unbiased_ms += _ms_since(start)
            if self._silent(unbiased, early):
                self.biased_ms += early.ms if early is not None else 0.0  # it was waited for
                self.reasons.append("silence")
                continue
            self.unbiased_texts.append(unbiased.best.text)
            if self.biaser is None or self.plan is None:
                self.texts.append(unbiased.best.text)
                continue
            self.texts.append(self._biased_window(chunk, unbiased, self.biaser, early))

    def _silent(self, unbiased: Decoded, early: Background[Decoded] | None) -> bool:
        """Whisper's no-speech rule on the unbiased pass, unless the biased pass already under
        way hears clear speech: the prompt tells a quiet or unfamiliar voice from silence
        ("Esi Balasubramanian." at no-speech 0.43, -0.27 mean log-prob, where the plain pass
        had 0.65 and -1.08), while on silence and noise both passes stay above 0.9."""
        if not is_silence(unbiased, self.bias_options):
            return False
        return early is None or not is_clear_speech(early.result(), self.bias_options)

    def _biased_first(self) -> bool:
        if self.plan is None:
            return False
        return not (self.plan_options.refocus and self.plan.overflows)

    def _biased_window(
        self,
        chunk: EncodedChunk,
        unbiased: Decoded,
        biaser: ContextBiaser,
        early: Background[Decoded] | None,
    ) -> str:
        """The window's text with the context: biased pass, guard, spell check, answer check.
        The scorer's pass over the prompt starts after the unbiased pass, so that at most two
        passes share the cores."""
        start = time.perf_counter()
        plan = self._refocused(biaser.plan, unbiased)
        self.bias_ms += _ms_since(start)
        scorer = self._scorer(chunk, plan, unbiased)
        try:
            text, reason = self._merged_and_checked(
                chunk, unbiased, plan, biaser=biaser, early=early, scorer=scorer
            )
        finally:
            if scorer is not None:
                start = time.perf_counter()
                scorer.close()
                self.check_ms += _ms_since(start)
        objection = biaser.objection(text, unbiased.best.text)
        if objection is not None:
            text, reason = unbiased.best.text, f"{objection}: unbiased text kept"
        choice = biaser.choice(text)
        if choice is not None:
            text = choice.text
            reason = f"a short answer that sounds like an option ({choice.option})"
        self.reasons.append(reason)
        return text

    def _merged_and_checked(
        self,
        chunk: EncodedChunk,
        unbiased: Decoded,
        plan: ContextPlan,
        *,
        biaser: ContextBiaser,
        early: Background[Decoded] | None,
        scorer: ReadingScorer | None,
    ) -> tuple[str, str]:
        """The biased pass merged by the guard, then spell checked when a scorer is given."""
        lookup = Background(biaser.prepare, unbiased.best.text) if scorer is not None else None
        biased_pass = early or Background(self._biased, chunk, plan)
        biased = biased_pass.result()
        self.biased_ms += biased_pass.ms
        start = time.perf_counter()
        speech_s = chunk.speech_or_duration_s
        merged = self._guarded(biaser, unbiased, biased, speech_s)
        self.bias_ms += _ms_since(start)
        if scorer is None or lookup is None:
            return merged.text, merged.reason
        start = time.perf_counter()
        lookup.result()
        search = partial(self._searched, biaser, scorer, plan)
        checked = self._spell_checked(biaser, scorer, unbiased, merged, search, speech_s=speech_s)
        self.check_ms += _ms_since(start)
        return checked

    def _guarded(
        self, biaser: ContextBiaser, unbiased: Decoded, biased: Decoded, speech_s: float
    ) -> Merged:
        """The window's text after rescoring and the guard, and why. A merge gives way to the
        unbiased text when it leaves a stretch of the ``speech_s`` seconds of speech unread (a
        name for twelve heard words, found alike to a few of them), or when it newly names an
        option of the question and is no reply to it ("New Hampshire alone."): the spell
        check then starts from the unbiased words, and may still read them as an option."""
        chosen = biaser.choose(biased, unbiased.best)
        self.biased_texts.append(chosen.text if chosen else biased.best.text)
        if chosen is None:
            reason = "biased reading rejected (echo or hallucination)"
            return Merged(unbiased.best.text, (), reason)
        merged = biaser.merge(unbiased, chosen, biased)
        refusal = _merge_refusal(biaser, unbiased.best.text, merged.text, speech_s)
        if refusal is None:
            return merged
        reason = f"{merged.reason}; {refusal}"
        return Merged(unbiased.best.text, (), reason, biased=merged.biased)

    def _scorer(
        self, chunk: EncodedChunk, plan: ContextPlan, unbiased: Decoded
    ) -> ReadingScorer | None:
        if self.bias_options.max_alternatives == 0:
            return None
        several = len(plan.context.catalogs) > 1 and self.bias_options.own_catalog_prompts
        own = self._catalog_prompts(plan, unbiased) if several else {}
        return self.engine.reading_scorer(chunk, plan.prompt_tokens, own)

    def _catalog_prompts(self, plan: ContextPlan, unbiased: Decoded) -> dict[str, tuple[int, ...]]:
        """Each catalog's prompt as the plan would write it were that catalog the context's
        only one (the same turns; refocused on the unbiased reading if it overflows), for the
        scorer to read that catalog's readings with (``BiasOptions.own_catalog_prompts``).
        Where the last turn is about some of the catalogs (``focus_catalogs``), only those get
        one: the others' readings ("Playroom Fan." for "Play some jazz." after a listing of
        bakeries) keep the prompt of every catalog."""
        heard = [h.text for h in unbiased.hypotheses]
        focus = focus_catalogs(plan)
        prompts = {}
        for catalog in plan.context.catalogs:
            if focus and catalog.name not in focus:
                continue
            own = catalog_alone(plan, catalog.name, self.engine.tokenize, self.plan_options)
            if self.plan_options.refocus:
                own = refocus_plan(own, heard, self.engine.tokenize, self.plan_options)
            prompts[catalog.name] = own.prompt_tokens
        return prompts

    @staticmethod
    def _spell_checked(
        biaser: ContextBiaser,
        scorer: ReadingScorer,
        unbiased: Decoded,
        merged: Merged,
        search: Callable[[list[FrameCut]], list[Alternative]],
        *,
        speech_s: float,
    ) -> tuple[str, str]:
        """The guarded text, or a reading with a catalog phrase that the decoder believes more:
        a sound-alike respelling, another entry in place of one it has, a biased span the
        guard refused on sound alone, or an option of the question read as the whole
        utterance. The reading picked must have syllables enough for the stretch of the
        ``speech_s`` seconds of speech that it reads anew, against the unbiased text (a merge
        may have shortened the text already); it is vetoed after the verdict, not left out of
        the batches, as the scores of readings move with their batch. Best effort:
        if the scoring fails, the guarded text stands."""
        text = merged.text
        answers = biaser.answer_readings(text, unbiased)
        # An option read whole is judged by its own rules even where a respelling of the text
        # reads the same ("Aguilar." for "I will work."): both are scored.
        alternatives = (
            _distinct(
                [
                    *biaser.alternatives(text, unbiased),
                    *merged.contested,
                    *biaser.biased_alternatives(merged, unbiased),
                ]
            )
            + answers
        )
        # Scored in a batch of their own: the int8 decoder's scores move with their batch, and
        # the guesses must not move those of the readings the other rules judge.
        framed = biaser.framed_readings(text, unbiased, answers)
        cuts = biaser.search_cuts(text, unbiased)
        if not alternatives and not framed and not cuts:
            return text, merged.reason
        try:
            framed += search(cuts) if cuts else []
            scored = _scored(biaser, scorer, text, alternatives)
            scored += _scored(biaser, scorer, text, framed)
        except ModelError:
            logger.warning("spell check skipped", exc_info=True)
            return text, merged.reason
        picked = biaser.pick(scored)
        if picked is None:
            return text, merged.reason
        if not biaser.reads_the_speech(unbiased.best.text, picked.text, speech_s):
            return text, f"{merged.reason}; a reading too short for the speech refused"
        return picked.text, f"catalog phrase preferred by the decoder ({picked.phrase.text})"

    def _searched(
        self, biaser: ContextBiaser, scorer: ReadingScorer, plan: ContextPlan, cuts: list[FrameCut]
    ) -> list[Alternative]:
        """The text with the entries a search of the plan's catalogs finds after each cut."""
        beam = self.bias_options.frame_search_beam
        found = scorer.search_entries([c.frame_text for c in cuts], self.entry_trie(plan), beam)
        return [
            a for cut, f in zip(cuts, found, strict=True) for a in biaser.found_readings(cut, f)
        ]

    def _biased(self, chunk: EncodedChunk, plan: ContextPlan) -> Decoded:
        if self.trie_options is None:
            return self.engine.decode(chunk, self.biased_opts, plan.prompt_tokens)
        trie = PhraseTrie(trie_phrases(plan), self.engine.tokenize, self.trie_options)
        return self.engine.decode_biased(chunk, self.biased_opts, plan.prompt_tokens, trie)

    def _refocused(self, plan: ContextPlan, unbiased: Decoded) -> ContextPlan:
        """The plan, its prompt re-filled from what the unbiased pass heard (big catalogs)."""
        if not self.plan_options.refocus:
            return plan
        heard = [h.text for h in unbiased.hypotheses]
        return refocus_plan(plan, heard, self.engine.tokenize, self.plan_options)

    def result(self, timings: StageTimings) -> Recognition:
        text = " ".join(self.texts)
        entities: tuple[EntityMatch, ...] = ()
        if self.biaser is not None and text:
            start = time.perf_counter()
            text, entities = self.biaser.canonicalize(text)
            bias_ms = timings.bias_ms + _ms_since(start)
            timings = StageTimings(**{**asdict(timings), "bias_ms": bias_ms})
        unbiased = " ".join(self.unbiased_texts)
        biased = " ".join(self.biased_texts)
        if self.plan is None:
            reason = "no context"
        elif not text:
            reason = "silence"
        else:
            reason = "; ".join(dict.fromkeys(r for r in self.reasons if r != "silence"))
        return Recognition(
            text=text,
            entities=entities,
            context_used=self.plan is not None,
            reason=reason,
            unbiased_text=unbiased if normalize(unbiased) != normalize(text) else None,
            biased_text=biased if biased and normalize(biased) != normalize(text) else None,
            timings=timings,
        )


def trie_phrases(plan: ContextPlan) -> list[str]:
    """What the token-level bias favours: the prompt's phrases, and the words of the options
    the assistant just named ("Bauer" of "Meg Bauer": a short answer may give only a part)."""
    phrases = [p.text for p in plan.selected]
    for phrase in plan.selected:
        if phrase.relevance >= SHARES_WORDS_WITH_LAST_TURN:
            phrases.extend(text for text, _ in phrases_of(phrase.text, parts=True))
    return phrases


def _merge_refusal(biaser: ContextBiaser, heard: str, merged: str, speech_s: float) -> str | None:
    """Why the guard's ``merged`` text must give way to the ``heard`` (unbiased) one, if it must:
    it leaves a stretch of the speech unread, or it is no reply to the assistant's question."""
    if not biaser.reads_the_speech(heard, merged, speech_s):
        return "a merge too short for the speech refused"
    objection = biaser.objection(merged, heard)
    return None if objection is None else f"{objection}: the merge refused"


def _scored(
    biaser: ContextBiaser, scorer: ReadingScorer, text: str, alternatives: list[Alternative]
) -> list[Scored]:
    """How much more the decoder believes each alternative than ``text``: with the context
    prompt (its own catalog's where the scorer has one, each catalog in a batch of its own);
    and, where the biaser's rules ask for them (``ContextBiaser.audio_checks``), without it,
    and with neither prompt nor audio (the prior the plain gain includes)."""
    if not alternatives:
        return []
    own = [a.phrase.catalog if a.phrase.catalog in scorer.catalogs else None for a in alternatives]
    gains: dict[int, float] = {}
    for catalog in dict.fromkeys(own):
        group = [i for i, c in enumerate(own) if c == catalog]
        batch = [text, *(alternatives[i].text for i in group)]
        current, *scores = scorer.score(batch, catalog=catalog)
        gains.update((i, score - current) for i, score in zip(group, scores, strict=True))
    prompted = [Scored(a, gains[i]) for i, a in enumerate(alternatives)]
    checks = biaser.audio_checks(text, prompted)
    unprompted = [j.alternative.text for j, c in zip(prompted, checks, strict=True) if c.plain]
    unheard = [j.alternative.text for j, c in zip(prompted, checks, strict=True) if c.prior]
    plain_gains = _gains(partial(scorer.score, prompted=False), text, unprompted)
    prior_gains = _gains(scorer.score_unheard, text, unheard)
    return [
        replace(
            judged,
            plain_gain=next(plain_gains) if c.plain else None,
            prior_gain=next(prior_gains) if c.prior else None,
        )
        for judged, c in zip(prompted, checks, strict=True)
    ]


def _distinct(alternatives: list[Alternative]) -> list[Alternative]:
    """The alternatives less later ones with the same text (each is scored once)."""
    seen: set[str] = set()
    found = []
    for alternative in alternatives:
        if alternative.text not in seen:
            seen.add(alternative.text)
            found.append(alternative)
    return found


def _gains(
    score: Callable[[list[str]], list[float]], text: str, readings: list[str]
) -> Iterator[float]:
    """Log-prob gains of ``readings`` over ``text`` under ``score`` (none if no readings)."""
    if not readings:
        return iter(())
    current, *scores = score([text, *readings])
    return iter(score - current for score in scores)


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
