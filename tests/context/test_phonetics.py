"""Pronunciations and sound-alike scores."""

from __future__ import annotations

from ctxasr.context.phonetics import (
    Pronouncer,
    coarse_key,
    fold_letters,
    number_words,
    rule_g2p,
    similarity,
)

P = Pronouncer()
RULES = Pronouncer(spellers=())  # spelling rules only, for words CMUdict lacks


def sim(a: str, b: str) -> float:
    return similarity(P.phrase(a), P.phrase(b))


def test_homophones_score_one() -> None:
    assert sim("Alfa", "Alpha") == 1.0
    assert sim("Bauer", "bower") == 1.0


def test_voicing_confusions_are_close_but_not_equal() -> None:
    assert 0.8 < sim("Bauer", "power") < 1.0
    assert sim("Siobhan Okafor", "Shavon Okafor") > 0.85


def test_unrelated_words_are_far() -> None:
    assert sim("Bauer", "turn") < 0.4
    assert sim("Meg Jones", "Porch Sconce") < 0.4


def test_rule_g2p_covers_unknown_names() -> None:
    assert not P.in_lexicon("okafor")
    assert rule_g2p("okafor") == ("AA", "K", "AE", "F", "AO", "R")
    assert rule_g2p("phillippe")[0] == "F"  # ph, doubled consonants
    assert P.phrase("four two")[0] in P.word("42")
    assert P.in_lexicon("42")  # Whisper's digits are words heard as surely as any


def test_numbers_in_digits_are_read_as_numbers_and_digit_by_digit() -> None:
    def said(digits: str) -> list[str]:
        return [" ".join(reading) for reading in number_words(digits)]

    assert said("7") == ["seven"]
    assert said("11") == ["eleven", "one one"]
    assert said("76") == ["seventy six", "seven six"]
    assert said("105") == ["one hundred five", "one zero five"]
    assert said("911") == ["nine hundred eleven", "nine one one"]
    assert said("12345") == ["twelve thousand three hundred forty five", "one two three four five"]
    assert said("007") == ["zero zero seven"]  # a leading zero is no number said as one
    assert said("1000000") == ["one zero zero zero zero zero zero"]


def test_four_digits_are_read_as_a_year_where_years_are() -> None:
    assert number_words("1984")[0] == ["nineteen", "eighty", "four"]
    assert number_words("1905")[0] == ["nineteen", "oh", "five"]
    assert number_words("1900")[0] == ["nineteen", "hundred"]
    assert number_words("2010")[0] == ["twenty", "ten"]
    assert number_words("2001")[0] == ["two", "thousand", "one"]
    assert number_words("1000")[0] == ["one", "thousand"]


def test_digits_sound_like_the_number_a_catalog_spells_out() -> None:
    # Whisper writes "Ocean's 11"; read digit by digit it was 0.64 like the catalog's title.
    assert sim("Ocean's 11", "Ocean's Eleven") == 1.0
    assert sim("Apollo 13", "Apollo Thirteen") == 1.0
    assert sim("1984", "Nineteen Eighty-Four") == 1.0
    assert sim("call 911", "call nine one one") == 1.0
    assert sim("5 5", "five five") == 1.0
    assert sim("Apollo 13", "Apollo Thirty") < 1.0


def test_accented_letters_are_read_as_their_base_letters() -> None:
    assert fold_letters("José Núñez, Björk, Ørsted, Straße, O\u2019Sullivan") == (
        "jose nunez, bjork, orsted, strasse, o'sullivan"
    )
    assert sim("Jose", "José") == 1.0
    assert sim("Amelie", "Amélie") == 1.0
    assert sim("Muller", "Müller") == 1.0
    assert P.in_lexicon("café")


def test_signs_are_read_as_words() -> None:
    assert sim("Barnes and Noble", "Barnes & Noble") == 1.0
    assert sim("Disney Plus", "Disney+") == 1.0


def test_rule_g2p_reads_letter_groups_before_single_letters() -> None:
    # "ch" and "kh" are one sound each; read letter by letter they were K + HH.
    assert rule_g2p("chidi") == ("CH", "IH", "D", "IY")
    assert rule_g2p("khachapuri")[:3] == ("K", "AE", "CH")
    assert rule_g2p("raghu")[:3] == ("R", "AE", "G")  # "gh" sounded before a vowel
    assert rule_g2p("haigh") == ("HH", "EY")  # ... and silent after one
    assert rule_g2p("ghoshal")[0] == "G"


def test_unknown_words_also_get_continental_vowels() -> None:
    english, continental = RULES.word("okafor")
    assert english[0] == "AA" and continental[:3] == ("OW", "K", "AA")
    # Said "Oh-kah-for", the name is heard as "oh car for": nearer to the continental reading.
    heard = P.phrase("oh car for")
    assert similarity(heard, (continental,)) > similarity(heard, (english,)) + 0.1
    assert RULES.word("kwyltch") == (rule_g2p("kwyltch"),)  # no single vowel letter: one reading


def test_rule_g2p_final_vowels_are_long() -> None:
    assert rule_g2p("esi")[-1] == "IY"
    assert rule_g2p("thiago")[-1] == "OW"
    assert rule_g2p("emeka")[-1] == "AH"
    # Misheard "Chidi" as "cheetie" should now sound near the catalog spelling.
    assert sim("Chidi", "cheetie") > sim("Chidi", "kitty")


def test_coarse_key_merges_confusable_phones() -> None:
    assert coarse_key(P.phrase("Bauer")[0]) == coarse_key(P.phrase("power")[0])


def test_a_whole_name_is_first_read_one_way_then_mixed() -> None:
    # Thiago and Okafor have two readings each (English and continental): the name is first
    # read all one way, then all the other, and only then mixed.
    thiago, okafor = P.word("thiago"), P.word("okafor")
    assert len(thiago) == len(okafor) == 2
    assert P.phrase("Thiago Okafor") == (
        thiago[0] + okafor[0],
        thiago[1] + okafor[1],
        thiago[0] + okafor[1],
        thiago[1] + okafor[0],
    )
    assert P.phrase("Liam Okafor") == tuple(P.word("liam")[0] + r for r in okafor)
