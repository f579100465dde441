"""Pronunciations of names CMUdict lacks, as espeak-ng says them."""

from __future__ import annotations

import pytest

from ctxasr.context.espeak import EspeakSpeller, ipa_to_arpabet
from ctxasr.context.phonetics import Pronouncer, similarity


def test_ipa_becomes_arpabet_without_stress_or_length() -> None:
    assert ipa_to_arpabet("sˈɜːʃə") == ("S", "ER", "SH", "AH")
    assert ipa_to_arpabet("ʃɪvˈɔːn") == ("SH", "IH", "V", "AO", "N")
    assert ipa_to_arpabet("dʒˈoʊkwɪn") == ("JH", "OW", "K", "W", "IH", "N")
    assert ipa_to_arpabet("bˈɜːɹt") == ("B", "ER", "T")  # r-coloured vowel: one ER
    assert ipa_to_arpabet("(fr)ʁ(en)") == ("R",)  # language switches are dropped


@pytest.fixture(scope="module")
def speller() -> EspeakSpeller:
    found = EspeakSpeller.load()
    if found is None:
        pytest.skip("piper-tts (which carries espeak-ng) is not installed")
    return found


def test_espeak_knows_names_that_spelling_rules_misread(speller: EspeakSpeller) -> None:
    assert speller.spell("saoirse") == ("S", "ER", "SH", "AH")
    assert speller.spell("aoife") == ("IY", "F", "AH")
    assert speller.spell("") == ()


def test_a_name_said_as_espeak_says_it_matches(speller: EspeakSpeller) -> None:
    # "Saoirse" is said "Seersha"; Whisper writes what it hears. By spelling rules alone
    # (S AE OY R S) the two sound unlike; with espeak-ng's reading they are near-homophones.
    with_espeak, rules = Pronouncer(spellers=(speller,)), Pronouncer(spellers=())
    assert similarity(with_espeak.phrase("Sersha"), with_espeak.phrase("Saoirse")) == 1.0
    assert similarity(rules.phrase("Sersha"), rules.phrase("Saoirse")) < 0.5
    # espeak-ng's reading stands in for the English rules'; the continental one stays.
    assert with_espeak.word("okafor") == (speller.spell("okafor"), rules.word("okafor")[1])
