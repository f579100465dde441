"""Likeness judgements that stand apart from the guard's and the spell check's rules."""

from __future__ import annotations

from ctxasr.asr.bias import BiasOptions
from ctxasr.asr.bias.sound import Likeness
from tests.asr.bias.common import PRONOUNCER

LIKENESS = Likeness(PRONOUNCER, BiasOptions())


def test_syllables_are_the_vowels_of_the_pronunciation() -> None:
    assert LIKENESS.syllables("Hamid.") == 2
    assert LIKENESS.syllables("Call Siobhan Okafor.") == 6
    assert LIKENESS.syllables("") == 0


def test_a_name_cannot_be_all_that_a_long_sentence_said() -> None:
    # 1 syllable a second at least: two syllables read at most 2 s of speech.
    sentence = "I will come back to the garage after lunch."  # 11 syllables
    assert LIKENESS.reads_the_speech(sentence, "Hamid.", speech_s=2.0)
    assert not LIKENESS.reads_the_speech(sentence, "Hamid.", speech_s=8.0)
    off = Likeness(PRONOUNCER, BiasOptions(min_syllables_per_s=None))
    assert off.reads_the_speech(sentence, "Hamid.", speech_s=8.0)


def test_a_reading_may_not_leave_a_stretch_of_a_long_window_unread() -> None:
    # Twenty words dropped for a name: 22 of the text's 27 syllables, 24 s of a 30 s window.
    said = " ".join(["one two three four five six seven eight nine ten"] * 2)
    text = f"{said}. So we meet at ten."
    dropped = "Call Hamid. So we meet at ten."
    assert not LIKENESS.reads_the_speech(text, dropped, speech_s=30.0)
    # The same name for a few words of the window reads its share of the speech.
    text = f"{said}. Call him at ten."
    assert LIKENESS.reads_the_speech(text, f"{said}. Call Hamid at ten.", speech_s=30.0)


def test_a_respelling_of_a_few_words_is_no_stretch_left_unread() -> None:
    # "Tran." for "friend." in a recording whose noise stretches the speech to 4 s.
    assert LIKENESS.reads_the_speech("Message my friend.", "Message Tran.", speech_s=4.0)
