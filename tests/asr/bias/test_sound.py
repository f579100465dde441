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
    # 0.75 syllables a second at least: two syllables fill at most 2.7 s of speech.
    assert LIKENESS.fills("Hamid.", speech_s=1.2)
    assert not LIKENESS.fills("Hamid.", speech_s=8.0)
    assert Likeness(PRONOUNCER, BiasOptions(min_syllables_per_s=None)).fills("Hamid.", 8.0)
