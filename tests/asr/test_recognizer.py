"""The recognizer's passes over one window, on a scripted engine (no model)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

import numpy as np
import pytest

from ctxasr.asr import Recognizer, RecognizerOptions
from ctxasr.asr.audio import SAMPLE_RATE
from ctxasr.asr.bias import BiasOptions
from ctxasr.asr.engine import Decoded, DecodeOptions, EncodedChunk, EngineOptions, Hypothesis
from ctxasr.context import DialogueContext, Pronouncer
from ctxasr.errors import ConfigError

PRONOUNCER = Pronouncer()
MEG = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"}],
        "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]},
    }
)
# A thousand names cannot fit a 223-token prompt: the plan is refocused on what was heard
# ("Power." brings "Meg Bauer", last in the catalog, into the prompt).
CROWDED = DialogueContext.from_json(
    {
        "turns": [],
        "catalogs": {"contacts": [*(f"Person Number{i}" for i in range(1000)), "Meg Bauer"]},
    }
)
SPEECH = np.random.default_rng(0).normal(0, 0.05, SAMPLE_RATE).astype(np.float32)


class ScriptedEngine:
    """Unbiased pass: "Power."; biased pass: "Bauer.". The unbiased pass waits (up to
    ``wait_s``) for the biased one to start, and notes whether it had."""

    name = "scripted"

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self.biased_started = threading.Event()
        self.side_by_side: list[bool] = []
        self.prompts: list[tuple[int, ...]] = []
        self.beams: dict[str, int] = {}  # pass ("biased" or "unbiased") -> its beam size

    def tokenize(self, text: str) -> list[int]:
        return [len(word) for word in text.split()]

    def encode(self, audio: np.ndarray) -> list[EncodedChunk]:
        return [EncodedChunk(None, 0.0, audio.shape[0] / SAMPLE_RATE)]

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        self.beams["biased" if prompt_tokens else "unbiased"] = options.beam_size
        if prompt_tokens:
            self.prompts.append(tuple(prompt_tokens))
            self.biased_started.set()
            return Decoded((Hypothesis("Bauer.", -0.1),), 0.01)
        self.side_by_side.append(self.biased_started.wait(timeout=self.wait_s))
        return Decoded((Hypothesis("Power.", -0.5), Hypothesis("Bower.", -0.6)), 0.01)


def _recognizer(engine: ScriptedEngine) -> Recognizer:
    options = replace(RecognizerOptions(), bias=BiasOptions(max_alternatives=0))
    return Recognizer(options, engine=cast(Any, engine), pronouncer=PRONOUNCER)


def test_the_biased_pass_runs_beside_the_unbiased_one() -> None:
    engine = ScriptedEngine(wait_s=10.0)
    result = _recognizer(engine).recognize(SPEECH, MEG)
    assert engine.side_by_side == [True]  # it had started before the unbiased pass ended
    assert result.unbiased_text == "Power." and result.context_used
    # Beside the unbiased pass, the biased one searches a wider beam at no cost in time.
    assert engine.beams == {"unbiased": 5, "biased": 10}


def test_an_overflowing_plan_waits_for_the_unbiased_reading() -> None:
    engine = ScriptedEngine(wait_s=0.2)
    recognizer = _recognizer(engine)
    plan = recognizer.plan(CROWDED)
    assert plan.overflows
    recognizer.recognize(SPEECH, plan)
    # The biased pass started only after the unbiased one, with a prompt refocused on it.
    assert engine.side_by_side == [False]
    # One token per word, as long as the word: the prompt now opens with "Meg Bauer,".
    assert plan.prompt_tokens[:2] != (3, 6)
    assert engine.prompts[0][:2] == (3, 6)
    # Waited for, a wider beam would add its time to the recognition: the plain beam it is.
    assert engine.beams == {"unbiased": 5, "biased": 5}


class QuietVoiceEngine(ScriptedEngine):
    """A window the plain pass all but calls silent (Whisper's rule: no-speech 0.65, mean
    log-prob -1.1); the biased pass reads it as ``biased``."""

    def __init__(self, biased: Decoded) -> None:
        super().__init__(wait_s=0.0)
        self.biased = biased

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        if prompt_tokens:
            return self.biased
        return Decoded((Hypothesis("Meg Power.", -1.1),), 0.65)


def test_a_window_the_plain_pass_calls_silent_is_speech_if_the_biased_pass_is_clear() -> None:
    clear = Decoded((Hypothesis("Meg Bauer.", -0.3),), 0.4)
    result = _recognizer(QuietVoiceEngine(clear)).recognize(SPEECH, MEG)
    assert result.text == "Meg Bauer."
    # Without a context there is no second opinion: Whisper's rule stands.
    assert _recognizer(QuietVoiceEngine(clear)).recognize(SPEECH).text == ""
    # A biased reading that is not clear speech on both signs leaves the window silent.
    for unsure in (
        Decoded((Hypothesis("Meg Bauer.", -0.3),), 0.9),  # high no-speech probability
        Decoded((Hypothesis("Meg Bauer.", -1.3),), 0.4),  # an unsure reading
    ):
        result = _recognizer(QuietVoiceEngine(unsure)).recognize(SPEECH, MEG)
        assert result.text == "" and result.entities == ()
        assert result.timings.biased_decode_ms > 0.0  # the pass it waited for is counted


def test_the_biased_beam_is_checked() -> None:
    with pytest.raises(ConfigError):
        RecognizerOptions(nbest=5, biased_beam_size=4)
    RecognizerOptions(biased_beam_size=None)  # the plain beam for both passes


def test_decoding_threads_are_checked() -> None:
    with pytest.raises(ConfigError):
        EngineOptions(decode_threads=0)
    with pytest.raises(ConfigError):
        EngineOptions(decode_workers=0)


OKAFOR = DialogueContext.from_json(
    {"turns": [], "catalogs": {"contacts": ["Siobhan Okafor", "Rose Tyler"]}}
)


class ScriptedScorer:
    """The decoder's log-probs of readings by text (0 for any other): with the prompt, without
    it, and with neither prompt nor audio."""

    def __init__(
        self,
        prompted: dict[str, float],
        plain: dict[str, float],
        unheard: dict[str, float] | None = None,
    ) -> None:
        self.prompted, self.plain, self.unheard = prompted, plain, unheard or {}
        self.closed = 0
        self.catalogs: tuple[str, ...] = ()  # none with a prompt of its own

    def close(self) -> None:
        self.closed += 1

    def score(
        self, texts: Sequence[str], prompted: bool = True, catalog: str | None = None
    ) -> list[float]:
        table = self.prompted if prompted else self.plain
        return [table.get(text, 0.0) for text in texts]

    def score_unheard(self, texts: Sequence[str]) -> list[float]:
        return [self.unheard.get(text, 0.0) for text in texts]


class MisspellingEngine(ScriptedEngine):
    """Unbiased pass: ``heard``; biased pass: "Call Shavon of a four." (no catalog phrase, so
    the guard keeps the unbiased words); the decoder's beliefs in the readings ("Call Siobhan
    Okafor.", or an option read whole) are ``scorer``'s."""

    def __init__(self, heard: str, scorer: ScriptedScorer) -> None:
        super().__init__(wait_s=0.0)
        self.heard, self.scorer = heard, scorer

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        text = "Call Shavon of a four." if prompt_tokens else self.heard
        return Decoded((Hypothesis(text, -0.3),), 0.01)

    def reading_scorer(
        self, chunk: EncodedChunk, prompt_tokens: Sequence[int], catalog_prompts: Any = None
    ) -> ScriptedScorer:
        return self.scorer


def _respelled(heard: str, scorer: ScriptedScorer, bias: BiasOptions | None = None) -> str:
    # The scripted scorer ties every reading it does not list with the text, so an entry
    # guessed into the request frame would tie too: those guesses have their own test below.
    bias = replace(bias or BiasOptions(), frame_entry_limit=None)
    options = replace(RecognizerOptions(), bias=bias)
    engine = MisspellingEngine(heard, scorer)
    recognizer = Recognizer(options, engine=cast(Any, engine), pronouncer=PRONOUNCER)
    return recognizer.recognize(SPEECH, OKAFOR).text


def test_the_biased_reading_respelled_wins_as_a_contest() -> None:
    heard, okafor = "Call the garage now.", "Call Siobhan Okafor."
    # +6 nats with the prompt, -4 without: the context wants it and the audio allows it.
    scorer = ScriptedScorer({okafor: 6.0}, {okafor: -4.0})
    assert _respelled(heard, scorer) == okafor
    # The unbiased text alone offers no such reading; and a contest needs the audio's consent.
    assert _respelled(heard, scorer, BiasOptions(max_biased_respellings=0)) == heard
    strict = BiasOptions(contest_plain_loss=3.0, near_plain_loss=3.0)
    assert _respelled(heard, scorer, strict) == heard


def _window(speech_s: float) -> list[EncodedChunk]:
    """One window holding ``speech_s`` seconds of speech and a second of silence."""
    return [EncodedChunk(None, 0.0, speech_s + 1.0, speech_s=speech_s)]


class LongSpeechEngine(MisspellingEngine):
    """As ``MisspellingEngine``, on a window that holds ``speech_s`` seconds of speech."""

    def __init__(self, heard: str, scorer: ScriptedScorer, speech_s: float) -> None:
        super().__init__(heard, scorer)
        self.speech_s = speech_s

    def encode(self, audio: np.ndarray) -> list[EncodedChunk]:
        return _window(self.speech_s)


def test_a_reading_too_short_for_the_speech_is_refused_whatever_its_score() -> None:
    heard, okafor = "Call the garage now, and then the office.", "Call Siobhan Okafor."
    scorer = ScriptedScorer({okafor: 6.0}, {okafor: -4.0})  # a contest it wins (above)
    # "Siobhan Okafor" (5 syllables) reads seven words, 9 of the text's 10 syllables.
    for speech_s, text in ((4.0, okafor), (12.0, heard)):  # 1.4 and 0.46 a second
        engine = cast(Any, LongSpeechEngine(heard, scorer, speech_s))
        recognizer = Recognizer(RecognizerOptions(), engine=engine, pronouncer=PRONOUNCER)
        result = recognizer.recognize(SPEECH, OKAFOR)
        assert result.text == text
    assert "too short for the speech" in result.reason


SKIPPED = "Call Shavon of a four and tell the others that we meet at noon in the hall."


class SkippingEngine(ScriptedEngine):
    """The biased pass reads the first words of the window only, as Whisper given a prompt
    may skip a stretch of speech; the window holds ``speech_s`` seconds of it."""

    def __init__(self, speech_s: float) -> None:
        super().__init__(wait_s=0.0)
        self.speech_s = speech_s

    def encode(self, audio: np.ndarray) -> list[EncodedChunk]:
        return _window(self.speech_s)

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        text = "Call Siobhan Okafor." if prompt_tokens else SKIPPED
        return Decoded((Hypothesis(text, -0.3),), 0.01)


def test_a_merge_that_skips_a_stretch_of_the_speech_gives_way_to_the_unbiased_text() -> None:
    options = replace(RecognizerOptions(), bias=BiasOptions(max_alternatives=0))
    # The guard finds "Siobhan Okafor" alike to "Shavon of a four" and takes the whole block:
    # fair for 3 s of speech, not for 12 (the 13 words after it, 16 syllables, go unread).
    for speech_s, text in ((3.0, "Call Siobhan Okafor."), (12.0, SKIPPED)):
        engine = cast(Any, SkippingEngine(speech_s))
        result = Recognizer(options, engine=engine, pronouncer=PRONOUNCER).recognize(SPEECH, OKAFOR)
        assert result.text == text
    assert "too short for the speech" in result.reason


def test_the_language_prior_comes_out_only_when_the_reading_keeps_the_frame() -> None:
    # +4 with the prompt, -8 without, but -20 with no audio at all: the audio prefers the name.
    scorer = ScriptedScorer({"Call Siobhan Okafor.": 4.0}, {"Call Siobhan Okafor.": -8.0})
    scorer.unheard = {"Call Siobhan Okafor.": -20.0}
    assert _respelled("Call the garage now.", scorer) == "Call Siobhan Okafor."
    # Another sentence altogether: its prior against the text weighs the frames, not the name.
    loop = "We don't play, but we don't play."
    assert _respelled(loop, scorer) == loop


def test_the_scorer_is_closed_with_its_window_whether_or_not_it_scored() -> None:
    # Its prefix passes must not outlive the request (nor the interpreter).
    okafor = "Call Siobhan Okafor."
    for heard in ("Call the garage now.", "Mm."):
        scorer = ScriptedScorer({okafor: 6.0}, {okafor: -4.0})
        engine = MisspellingEngine(heard, scorer)
        Recognizer(RecognizerOptions(), engine=cast(Any, engine), pronouncer=PRONOUNCER).recognize(
            SPEECH, OKAFOR
        )
        assert scorer.closed == 1


class UnsureEngine(ScriptedEngine):
    """Both passes hear "That mood, please." or thereabouts; the decoder prefers it to every
    other reading."""

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        heard = ("That mood, please.", "That move, please.", "That moved, please.")
        return Decoded(tuple(Hypothesis(text, -0.7) for text in heard), 0.01)

    def reading_scorer(
        self, chunk: EncodedChunk, prompt_tokens: Sequence[int], catalog_prompts: Any = None
    ) -> ScriptedScorer:
        heard = {"That mood, please.": 10.0}  # every other reading loses 10 nats to it
        return ScriptedScorer(heard, heard)


def test_a_short_answer_that_sounds_like_an_option_is_respelled_as_it() -> None:
    linh = DialogueContext.from_json(
        {
            "turns": [
                {"role": "assistant", "text": "Which Linh: Linh O'Sullivan or Linh Mahmoud?"}
            ],
            "catalogs": {"contacts": ["Linh O'Sullivan", "Linh Mahmoud"]},
        }
    )
    engine = UnsureEngine(wait_s=0.0)
    result = Recognizer(RecognizerOptions(), engine=cast(Any, engine), pronouncer=PRONOUNCER)
    recognition = result.recognize(SPEECH, linh)
    assert recognition.text == "Mahmoud, please."
    assert recognition.reason == "a short answer that sounds like an option (Linh Mahmoud)"
    assert [m.phrase for m in recognition.entities] == ["Mahmoud"]


def test_an_option_read_as_the_whole_utterance_wins_when_the_audio_allows_it() -> None:
    """Whisper writes a sentence for a one-word answer; the decoder's beliefs decide."""
    sentence = "Now let's take a look at this."

    def heard_as(scorer: ScriptedScorer) -> str:
        return _meg_answer(MisspellingEngine(sentence, scorer))

    # +6 nats with the prompt; without it -20, of which the language prior is -18.
    allowed = ScriptedScorer({"Bauer.": 6.0}, {"Bauer.": -20.0}, {"Bauer.": -18.0})
    assert heard_as(allowed) == "Bauer."
    # The audio, its prior out, loses 15 nats on it: the sentence was said.
    refused = ScriptedScorer({"Bauer.": 6.0}, {"Bauer.": -20.0}, {"Bauer.": -5.0})
    assert heard_as(refused) == sentence


class UnsureSentenceEngine(MisspellingEngine):
    """As MisspellingEngine, with an unbiased n-best that does not agree on the sentence."""

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        if prompt_tokens:
            return super().decode(chunk, options, prompt_tokens)
        return Decoded((Hypothesis(self.heard, -0.8), Hypothesis("Thank you, sir.", -0.9)), 0.01)


def test_a_short_answer_wins_when_the_audio_singles_its_option_out() -> None:
    """ "Bauer." heard as "Thank you, friend.": the prompted decoder and the audio both prefer
    the sentence a little, but both rank Bauer above Jones in every reading."""
    sentence = "Thank you, friend."

    def heard_as(scorer: ScriptedScorer) -> str:
        return _meg_answer(UnsureSentenceEngine(sentence, scorer))

    jones = {"Jones.": -9.0, "Meg Jones.": -9.0, "Meg Bauer.": -9.0}
    # Bauer.: 2 nats below the sentence with the prompt; the audio, its prior out, -20 + 15.
    prompted = {"Bauer.": -2.0, **jones}
    plain = {"Bauer.": -20.0, "Jones.": -30.0, "Meg Jones.": -30.0, "Meg Bauer.": -30.0}
    unheard = {"Bauer.": -15.0, "Jones.": -15.0, "Meg Jones.": -15.0, "Meg Bauer.": -15.0}
    assert heard_as(ScriptedScorer(prompted, plain, unheard)) == "Bauer."
    # The audio prefers Jones: no option is singled out.
    jones_heard = {**plain, "Jones.": -18.0}
    assert heard_as(ScriptedScorer(prompted, jones_heard, unheard)) == sentence


def test_a_short_answer_is_judged_by_its_rule_where_a_respelling_reads_the_same() -> None:
    """ "Flower." (0.5 like "Bauer") is respelled "Bauer." by the spell check, whose rules refuse
    a reading 3.5 nats below the text; the same text read whole as the option is a short answer,
    and its own rule takes it."""
    prompted = {"Bauer.": -4.5, "Jones.": -9.0, "Meg Jones.": -9.0, "Meg Bauer.": -9.0}
    plain = {"Bauer.": -20.0, "Jones.": -30.0, "Meg Jones.": -30.0, "Meg Bauer.": -30.0}
    unheard = {"Bauer.": -15.0, "Jones.": -15.0, "Meg Jones.": -15.0, "Meg Bauer.": -15.0}
    engine = UnsureSentenceEngine("Flower.", ScriptedScorer(prompted, plain, unheard))
    assert _meg_answer(engine) == "Bauer."


class ObjectedEngine(MisspellingEngine):
    """Unbiased pass: "Make power alone." (a clipped "Meg Bauer"); biased pass: "Meg Bauer
    alone.", which names an option beside a word that no reply explains."""

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        text = "Meg Bauer alone." if prompt_tokens else "Make power alone."
        return Decoded((Hypothesis(text, -0.3),), 0.01)


def test_a_merge_that_is_no_reply_leaves_the_spell_check_the_unbiased_words() -> None:
    """The answer check refuses the merge "Meg Bauer alone." ("alone" answers nothing); the
    unbiased words, read whole as an option, are then judged as any short answer is."""
    # +6 nats with the prompt; without it -20, of which the language prior is -18.
    scorer = ScriptedScorer({"Meg Bauer.": 6.0}, {"Meg Bauer.": -20.0}, {"Meg Bauer.": -18.0})
    assert _meg_answer(ObjectedEngine("", scorer)) == "Meg Bauer."
    # The audio, its prior out, loses 15 nats on it: the unbiased words stand.
    scorer = ScriptedScorer({"Meg Bauer.": 6.0}, {"Meg Bauer.": -20.0}, {"Meg Bauer.": -5.0})
    assert _meg_answer(ObjectedEngine("", scorer)) == "Make power alone."


def _meg_answer(engine: MisspellingEngine) -> str:
    """The text recognised by ``engine`` after "Do you mean Meg Jones or Meg Bauer?" (framed
    readings off: the scripted scorer would tie them with the text)."""
    options = replace(RecognizerOptions(), bias=BiasOptions(frame_entry_limit=None))
    recognizer = Recognizer(options, engine=cast(Any, engine), pronouncer=PRONOUNCER)
    return recognizer.recognize(SPEECH, MEG).text


class GarbledTitleEngine(ScriptedEngine):
    """Both passes hear "Open and send these." (a title garbled); the decoder's beliefs are a
    table, every reading it does not list 20 nats below the heard text, and each batch it
    scores with the prompt is noted."""

    def __init__(self, beliefs: dict[str, tuple[float, float, float]]) -> None:
        super().__init__(wait_s=0.0)
        self.beliefs = beliefs  # reading -> (prompted, plain, unheard) gain over the text
        self.batches: list[list[str]] = []

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        return Decoded((Hypothesis("Open and send these.", -0.9),), 0.01)

    def reading_scorer(
        self, chunk: EncodedChunk, prompt_tokens: Sequence[int], catalog_prompts: Any = None
    ) -> Any:
        engine = self

        class Scorer(ScriptedScorer):
            def score(
                self, texts: Sequence[str], prompted: bool = True, catalog: str | None = None
            ) -> list[float]:
                if prompted:
                    engine.batches.append(list(texts))
                return [engine._belief(t, 0 if prompted else 1) for t in texts]

            def score_unheard(self, texts: Sequence[str]) -> list[float]:
                return [engine._belief(t, 2) for t in texts]

        return Scorer({}, {})

    def _belief(self, text: str, kind: int) -> float:
        if text == "Open and send these.":
            return 0.0
        return self.beliefs.get(text, (-20.0, -20.0, -20.0))[kind]


SCREEN = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Here are a few movies on your screen."}],
        "catalogs": {"screen": ["Incendies", "Oldboy", "Parasite"]},
    }
)


def test_an_entry_in_the_request_frame_is_scored_in_a_batch_of_its_own() -> None:
    # "Open Oldboy." is a guess at the title, not a respelling of the heard words: 2 nats
    # below the text with the prompt, 2 above it by the audio once its prior (-4) is out.
    engine = GarbledTitleEngine({"Open Oldboy.": (-2.0, -2.0, -4.0)})
    recognizer = Recognizer(RecognizerOptions(), engine=cast(Any, engine), pronouncer=PRONOUNCER)
    recognition = recognizer.recognize(SPEECH, SCREEN)
    assert recognition.text == "Open Oldboy."
    assert recognition.reason == "catalog phrase preferred by the decoder (Oldboy)"
    respellings, guesses = engine.batches
    assert "Open Incendies." in respellings and "Open Oldboy." not in respellings
    assert "Open Oldboy." in guesses and "Open Incendies." in guesses
    # Off, or refused by the audio (its prior out, 1 nat below the text at -7 alone): kept.
    off = replace(RecognizerOptions(), bias=BiasOptions(frame_entry_limit=None))
    assert (
        Recognizer(off, engine=cast(Any, engine), pronouncer=PRONOUNCER)
        .recognize(SPEECH, SCREEN)
        .text
        == "Open and send these."
    )
    alone = GarbledTitleEngine({"Oldboy.": (-2.0, -8.0, -1.0)})
    recognizer = Recognizer(RecognizerOptions(), engine=cast(Any, alone), pronouncer=PRONOUNCER)
    assert recognizer.recognize(SPEECH, SCREEN).text == "Open and send these."


class GarbledNameEngine(GarbledTitleEngine):
    """Both passes hear "Call Luke to stare at me." (a name garbled); the search of the
    catalog after each cut of the frame finds ``found``, and notes the frames it was asked."""

    def __init__(
        self, beliefs: dict[str, tuple[float, float, float]], found: dict[str, list[str]]
    ) -> None:
        super().__init__(beliefs)
        self.found = found
        self.frames: list[list[str]] = []

    def decode(
        self, chunk: EncodedChunk, options: DecodeOptions, prompt_tokens: Sequence[int] = ()
    ) -> Decoded:
        return Decoded((Hypothesis("Call Luke to stare at me.", -0.9),), 0.01)

    def tokenize(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def reading_scorer(
        self, chunk: EncodedChunk, prompt_tokens: Sequence[int], catalog_prompts: Any = None
    ) -> Any:
        engine, scorer = self, super().reading_scorer(chunk, prompt_tokens)

        def search_entries(frames: Sequence[str], trie: Any, beam_size: int) -> list[list[str]]:
            engine.frames.append(list(frames))
            assert len(trie) == 48 and beam_size == BiasOptions().frame_search_beam
            return [engine.found.get(frame, []) for frame in frames]

        scorer.search_entries = search_entries
        return scorer

    def _belief(self, text: str, kind: int) -> float:
        return 0.0 if text == "Call Luke to stare at me." else super()._belief(text, kind)


BOOK = DialogueContext.from_json(
    {
        "turns": [],
        "catalogs": {
            "contacts": [
                f"{first} {last}"
                for first in ("Lukas", "Liam", "Siobhan", "Kenji", "Ingrid", "Thiago")
                for last in (
                    "Ferreira",
                    "Bauer",
                    "Jones",
                    "Iwasaki",
                    "Novak",
                    "Dubois",
                    "Reid",
                    "Tran",
                )
            ]
        },
    }
)


def test_a_name_in_a_large_catalog_is_found_by_searching_after_the_frame() -> None:
    """48 contacts, more than are read one by one: a search after each cut of the frame names
    the entries to read, and those are judged as short answers are."""
    found = {"Call": ["Lukas Ferreira", "Liam Bauer"], "": ["Lukas Ferreira"]}
    beliefs = {
        "Call Lukas Ferreira.": (-2.0, -3.0, -6.0),  # the audio prefers it, its prior out
        "Call Liam Bauer.": (-6.0, -8.0, -5.0),
        "Lukas Ferreira.": (-9.0, -9.0, -3.0),
    }
    engine = GarbledNameEngine(beliefs, found)
    recognizer = Recognizer(RecognizerOptions(), engine=cast(Any, engine), pronouncer=PRONOUNCER)
    recognition = recognizer.recognize(SPEECH, BOOK)
    assert engine.frames == [["", "Call"]]
    assert recognition.text == "Call Lukas Ferreira."
    assert recognition.reason == "catalog phrase preferred by the decoder (Lukas Ferreira)"
    # The audio refusing it (7.5 nats below the text, its prior out): the heard text stands.
    refused = GarbledNameEngine({**beliefs, "Call Lukas Ferreira.": (-2.0, -13.5, -6.0)}, found)
    recognizer = Recognizer(RecognizerOptions(), engine=cast(Any, refused), pronouncer=PRONOUNCER)
    assert recognizer.recognize(SPEECH, BOOK).text == "Call Luke to stare at me."
    off = replace(RecognizerOptions(), bias=BiasOptions(frame_search_beam=0))
    quiet = GarbledNameEngine(beliefs, found)
    recognizer = Recognizer(off, engine=cast(Any, quiet), pronouncer=PRONOUNCER)
    assert recognizer.recognize(SPEECH, BOOK).text == "Call Luke to stare at me."
    assert quiet.frames == []


class PerCatalogEngine(MisspellingEngine):
    """As MisspellingEngine ("Call Shavon of a four."), noting the per-catalog prompts it is
    given and, for each batch scored with a prompt, the catalog it was scored for."""

    def __init__(self) -> None:
        super().__init__("Call Shavon of a four.", ScriptedScorer({}, {}))
        self.prompts: dict[str, Sequence[int]] = {}
        self.batches: list[tuple[str | None, list[str]]] = []

    def reading_scorer(
        self, chunk: EncodedChunk, prompt_tokens: Sequence[int], catalog_prompts: Any = None
    ) -> ScriptedScorer:
        engine = self
        self.prompts = dict(catalog_prompts or {})

        class Scorer(ScriptedScorer):
            def score(
                self, texts: Sequence[str], prompted: bool = True, catalog: str | None = None
            ) -> list[float]:
                if prompted:
                    engine.batches.append((catalog, list(texts)))
                return [0.0 for _ in texts]

        scorer = Scorer({}, {})
        scorer.catalogs = tuple(self.prompts)
        return scorer


def test_each_catalog_s_readings_are_scored_with_its_own_prompt() -> None:
    contacts = {"contacts": ["Siobhan Okafor", "Rose Tyler"]}
    home = DialogueContext.from_json(
        {"turns": [], "catalogs": {**contacts, "devices": ["Porch Sconce", "Shower Fan"]}}
    )
    on = replace(RecognizerOptions(), bias=BiasOptions(own_catalog_prompts=True))
    engine = PerCatalogEngine()
    recognizer = Recognizer(on, engine=cast(Any, engine), pronouncer=PRONOUNCER)
    recognizer.recognize(SPEECH, home)
    # Each catalog's prompt is the one it would have alone: the devices beside the contacts
    # do not move the contacts' scores.
    alone = recognizer.plan(DialogueContext.from_json({"turns": [], "catalogs": contacts}))
    assert engine.prompts["contacts"] == alone.prompt_tokens
    assert set(engine.prompts) == {"contacts", "devices"}
    scored = {catalog for catalog, _ in engine.batches}
    assert "contacts" in scored
    for catalog, texts in engine.batches:
        assert texts[0] == "Call Shavon of a four."  # the text, against which gains are taken
        if catalog == "contacts":
            assert not any("Sconce" in t or "Shower Fan" in t for t in texts[1:])
    # One catalog: its prompt is the plan's, and no other is built.
    engine = PerCatalogEngine()
    Recognizer(on, engine=cast(Any, engine), pronouncer=PRONOUNCER).recognize(SPEECH, OKAFOR)
    assert engine.prompts == {}
    # The last turn is about the contacts: the devices' readings keep the prompt of every
    # catalog, as a catalog beside the dialogue's would otherwise get a full prompt's support.
    asked = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Siobhan Okafor or Rose Tyler?"}],
            "catalogs": {**contacts, "devices": ["Porch Sconce", "Shower Fan"]},
        }
    )
    engine = PerCatalogEngine()
    Recognizer(on, engine=cast(Any, engine), pronouncer=PRONOUNCER).recognize(SPEECH, asked)
    assert set(engine.prompts) == {"contacts"}
    # Off (the default): one prompt of every catalog for all readings.
    engine = PerCatalogEngine()
    Recognizer(RecognizerOptions(), engine=cast(Any, engine), pronouncer=PRONOUNCER).recognize(
        SPEECH, home
    )
    assert engine.prompts == {} and {c for c, _ in engine.batches} == {None}
