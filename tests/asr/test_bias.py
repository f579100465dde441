"""Each biasing step on hand-made decodings: rescoring, the guard, canonicalisation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ctxasr.asr.bias import (
    Alternative,
    BiasOptions,
    ContextBiaser,
    Merged,
    Scored,
    in_one_span,
    is_clear_speech,
    is_silence,
)
from ctxasr.asr.engine import Decoded, Hypothesis
from ctxasr.context import DialogueContext, Pronouncer, build_plan
from ctxasr.context.index import PhoneticIndex
from ctxasr.errors import ConfigError

PRONOUNCER = Pronouncer()
CONTEXT = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Call Meg."},
            {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
        ],
        "catalogs": {
            "contacts": ["Meg Jones", "Meg Bauer", "Siobhan Okafor", "Rose Tyler"],
            "phonetic": ["Alfa", "Juliett"],
        },
    }
)


def _biaser(
    context: DialogueContext = CONTEXT, options: BiasOptions | None = None
) -> ContextBiaser:
    index = PhoneticIndex(context.catalogs, PRONOUNCER)
    plan = build_plan(context, lambda t: list(range(len(t.split()))), index)
    return ContextBiaser(plan, PRONOUNCER, options or BiasOptions())


def _decoded(*pairs: tuple[str, float], no_speech: float = 0.01) -> Decoded:
    return Decoded(tuple(Hypothesis(t, s) for t, s in pairs), no_speech)


# -- rescoring ---------------------------------------------------------------------------


def test_context_bonus_reorders_close_hypotheses() -> None:
    biased = _decoded(("Bower.", -0.30), ("Bauer.", -0.35))
    chosen = _biaser().choose(biased, Hypothesis("Power.", -0.4))
    assert chosen is not None and chosen.text == "Bauer."


def test_prompt_echo_is_rejected() -> None:
    biased = _decoded(("Do you mean Meg Bauer?", -0.1), ("Power.", -0.6))
    chosen = _biaser().choose(biased, Hypothesis("Power.", -0.5))
    assert chosen is not None and chosen.text == "Power."


def test_hypotheses_that_grow_far_beyond_the_audio_are_rejected() -> None:
    biased = _decoded(("Meg Jones, Meg Bauer, Siobhan Okafor.", -0.1))
    assert _biaser().choose(biased, Hypothesis("Yes.", -0.3)) is None


# -- the guard ---------------------------------------------------------------------------


def test_guard_takes_a_sound_alike_catalog_phrase() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    biased = _decoded(("Meg Bauer.", -0.1), ("Mate Bauer.", -0.9))
    unbiased = _decoded(("Mate Bauer.", -0.4), ("May Bauer.", -0.5))
    merged = _biaser().merge(unbiased, chosen, biased)
    assert merged.text == "Meg Bauer."
    assert merged.transplanted == ("Meg",)


def test_guard_keeps_unbiased_words_when_the_biased_win_is_narrow() -> None:
    chosen = Hypothesis("Bauer.", -0.30)
    biased = _decoded(("Bauer.", -0.30), ("Power.", -0.32))
    merged = _biaser().merge(_decoded(("Power.", -0.3), ("Bower.", -0.4)), chosen, biased)
    assert merged.text == "Power."
    assert merged.transplanted == ()


def test_guard_protects_words_the_unbiased_nbest_agrees_on() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    unbiased = _decoded(("Mate Bauer.", -0.4), ("Mate Bauer!", -0.5), ("mate bauer", -0.6))
    biased = _decoded(("Meg Bauer.", -0.1))
    not_offered = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Who should I call?"}],
            "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]},
        }
    )
    # "Mate" sounds 0.53 like "Meg": below a bar of 0.6 for confident words, above 0.5.
    strict = BiasOptions(protected_similarity=0.6, named_protected_similarity=0.5)
    merged = _biaser(not_offered, strict).merge(unbiased, chosen, biased)
    assert merged.text == "Mate Bauer."
    assert "confident words" in merged.reason
    # The assistant just offered "Meg Bauer": an expected answer needs less evidence.
    assert _biaser(options=strict).merge(unbiased, chosen, biased).text == "Meg Bauer."
    # Without n-best agreement the same words are not protected.
    unsure = _decoded(("Mate Bauer.", -0.4), ("May Bauer.", -0.5), ("Made Bauer.", -0.6))
    assert _biaser(not_offered, strict).merge(unsure, chosen, biased).text == "Meg Bauer."


def test_repeating_an_offered_option_is_not_echo() -> None:
    biased = _decoded(("Yes, Meg Bauer please.", -0.1))
    chosen = _biaser().choose(biased, Hypothesis("Yes, may power please.", -0.5))
    assert chosen is not None


def test_guard_allows_a_surname_only_as_a_short_answer() -> None:
    biaser = _biaser()
    biased = _decoded(("Turn the Bauer off.", -0.1))
    unbiased = _decoded(("Turn the power off.", -0.3), ("Turn the tower off.", -0.4))
    merged = biaser.merge(unbiased, Hypothesis("Turn the Bauer off.", -0.1), biased)
    assert merged.text == "Turn the power off."  # "Bauer" alone mid-sentence: refused
    merged = biaser.merge(
        _decoded(("Power.", -0.3), ("Tower.", -0.4)),
        Hypothesis("Bauer.", -0.1),
        _decoded(("Bauer.", -0.1)),
    )
    assert merged.text == "Bauer."
    merged = biaser.merge(
        _decoded(("Just the power.", -0.3), ("Just the tower.", -0.4)),
        Hypothesis("Just the Bauer.", -0.1),
        _decoded(("Just the Bauer.", -0.1)),
    )
    assert merged.text == "Just the Bauer."  # "just", like "the one with", frames an answer


def test_a_part_every_option_shares_is_no_answer() -> None:
    """After "Meg Jones or Meg Bauer?", "Meg." chooses neither option: the guard, the spell
    check and the swaps leave it out, though it is a short answer."""
    biaser = _biaser()
    merged = biaser.merge(
        _decoded(("May.", -0.3), ("Mag.", -0.4)), Hypothesis("Meg.", -0.1), _decoded(("Meg.", -0.1))
    )
    assert merged.text == "May."
    spelled = biaser.alternatives("Mag, please.", NBEST_UNSURE)
    assert not [a for a in spelled if not a.phrase.whole]  # whole entries, never "Meg"
    swaps = biaser.alternatives("Jones, please.", NBEST_UNSURE)
    assert "Bauer, please." in [a.text for a in swaps]
    assert "Meg, please." not in [a.text for a in swaps]
    # With one option named, its first name is an answer like any part.
    one = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Do you mean Meg Bauer?"}],
            "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]},
        }
    )
    merged = _biaser(one).merge(
        _decoded(("May.", -0.3), ("Mag.", -0.4)), Hypothesis("Meg.", -0.1), _decoded(("Meg.", -0.1))
    )
    assert merged.text == "Meg."


def test_guard_refuses_words_that_do_not_sound_alike_or_are_not_in_a_catalog() -> None:
    biaser = _biaser()
    chosen = Hypothesis("Call Meg Bauer now.", -0.1)
    biased = _decoded(("Call Meg Bauer now.", -0.1))
    # "the dentist" does not sound like "Meg Bauer".
    merged = biaser.merge(_decoded(("Call the dentist now.", -0.3)), chosen, biased)
    assert merged.text == "Call the dentist now."
    # Words that are not catalog phrases never replace unbiased words.
    chosen = Hypothesis("Paul the plumber.", -0.1)
    merged = biaser.merge(_decoded(("Call the plumber.", -0.3)), chosen, _decoded(("x", -1)))
    assert merged.text == "Call the plumber."


def test_guard_refuses_inserted_context_words() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    merged = _biaser().merge(_decoded(("Bauer.", -0.3)), chosen, _decoded(("Meg Bauer.", -0.1)))
    assert merged.text == "Bauer."


def test_guard_takes_the_biased_boundaries_of_an_accepted_phrase() -> None:
    chosen = Hypothesis("Siobhan Okafor.", -0.05)
    unbiased = _decoded(("She won't knock at her.", -0.6), ("She won't knock effort.", -0.7))
    merged = _biaser().merge(unbiased, chosen, _decoded(("Siobhan Okafor.", -0.05)))
    assert merged.text == "Siobhan Okafor."


def test_merged_words_keep_the_case_of_their_place_in_the_sentence() -> None:
    # The biased pass heard only "Please." (a sentence of its own); merged after the unbiased
    # "No, but" it goes on a sentence, and a catalog's spelling keeps its capitals anywhere.
    unbiased = _decoded(("No, but please.", -0.6))
    merged = _biaser().merge(unbiased, Hypothesis("Please.", -0.5), _decoded(("Please.", -0.5)))
    assert merged.text == "No, but please."
    chosen = Hypothesis("Rose Tyler.", -0.2)
    merged = _biaser().merge(
        _decoded(("and rose tyler.", -0.4)), chosen, _decoded(("Rose Tyler.", -0.2))
    )
    assert merged.text == "and Rose Tyler."


def test_silence_rule() -> None:
    options = BiasOptions()
    assert is_silence(_decoded(("", -0.1)), options)
    assert is_silence(_decoded(("Thank you.", -1.5), no_speech=0.9), options)
    assert not is_silence(_decoded(("Bauer.", -0.2), no_speech=0.9), options)
    # Clear speech needs both signs: a low no-speech probability and a confident reading.
    assert is_clear_speech(_decoded(("Bauer.", -0.2), no_speech=0.4), options)
    assert not is_clear_speech(_decoded(("Bauer.", -0.2), no_speech=0.9), options)
    assert not is_clear_speech(_decoded(("Bauer.", -1.5), no_speech=0.4), options)
    assert not is_clear_speech(_decoded(("...", -0.2), no_speech=0.4), options)


# -- canonicalisation ----------------------------------------------------------------------


def test_homophone_of_a_whole_entry_takes_the_catalog_spelling() -> None:
    text, matches = _biaser().canonicalize("Alpha.")
    assert text == "Alfa."
    assert [(m.phrase, m.respelled_from, m.start, m.end) for m in matches] == [
        ("Alfa", "Alpha.", 0, 4)
    ]


def test_unknown_spelling_snaps_to_the_nearest_catalog_phrase() -> None:
    text, matches = _biaser().canonicalize("Call Shavon Okafor please")
    assert text == "Call Siobhan Okafor please"
    (match,) = matches
    assert (match.catalog, match.phrase) == ("contacts", "Siobhan Okafor")
    assert text[match.start : match.end] == "Siobhan Okafor"
    assert 0.85 < match.score < 1.0


def test_a_respelling_never_drops_a_dictionary_word() -> None:
    # "Call Siobhan Okafor" sounds 0.8 like "Siobhan Okafor", but "Call" is a word, not part
    # of a misspelt name: the name stands on its own right after it.
    text, matches = _biaser().canonicalize("Call Siobhan Okafor.")
    assert text == "Call Siobhan Okafor."
    assert [(m.phrase, m.respelled_from) for m in matches] == [("Siobhan Okafor", None)]


def test_real_words_are_not_respelled_into_other_sounding_entries() -> None:
    text, matches = _biaser().canonicalize("Turn the power off.")
    assert text == "Turn the power off."
    assert matches == ()


def test_a_part_needs_the_dialogue_to_be_respelled() -> None:
    # "rose" is a homophone of the part "Rose" of "Rose Tyler", which nobody mentioned.
    text, _ = _biaser().canonicalize("the rows of chairs")
    assert text == "the rows of chairs"


def test_exact_phrases_are_reported_with_their_span() -> None:
    text, matches = _biaser().canonicalize("Yes, Meg Bauer.")
    assert text == "Yes, Meg Bauer."
    assert [(m.phrase, text[m.start : m.end], m.score) for m in matches] == [
        ("Meg Bauer", "Meg Bauer", 1.0)
    ]


OPTIONS_CONTEXT = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Text Mei."},
            {"role": "assistant", "text": "Which Mei: Mei Kaczmarek or Mei Schmidt?"},
        ],
        "catalogs": {"contacts": ["Mei Kaczmarek", "Mei Schmidt", "Ravi Jankowski"]},
    }
)


def test_an_unknown_word_answering_the_question_takes_the_closest_offered_option() -> None:
    biaser = _biaser(OPTIONS_CONTEXT)
    for heard in ("The one with Gatmaris.", "Dismarric."):
        text, matches = biaser.canonicalize(heard)
        assert [m.phrase for m in matches] == ["Kaczmarek"], heard
        assert "Kaczmarek" in text and matches[0].respelled_from is not None
    # A name already spelled right keeps the answer's frame ("The one with ...").
    amara = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Amara Raghunathan or Amara Jones?"}],
            "catalogs": {"contacts": ["Amara Raghunathan", "Amara Jones"]},
        }
    )
    text, matches = _biaser(amara).canonicalize("The one with Raghunathan.")
    assert text == "The one with Raghunathan."
    assert [(m.phrase, m.respelled_from) for m in matches] == [("Raghunathan", None)]


def test_offered_options_are_not_forced_outside_an_answer_or_onto_unlike_words() -> None:
    biaser = _biaser(OPTIONS_CONTEXT)
    for heard in (
        "I met Gatmaris at the station yesterday.",  # not an answer to the question
        "The one with Bluvenko.",  # an unknown word like neither option
        "The one with Kitchen.",  # a dictionary word: only the decoder may change it
    ):
        text, matches = biaser.canonicalize(heard)
        assert (text, matches) == (heard, ()), heard
    # The same answer with nobody named: too unlike any entry for a catalog-wide respelling.
    plain = DialogueContext.from_json(
        {"turns": [], "catalogs": {"contacts": ["Mei Kaczmarek", "Mei Schmidt"]}}
    )
    assert _biaser(plain).canonicalize("The one with Gatmaris.")[1] == ()


# -- the spell check ---------------------------------------------------------------------

SPELL_CONTEXT = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Leila Marshall or Linh Marshall?"}],
        "catalogs": {
            "contacts": ["Leila Marshall", "Linh Marshall", "Siobhan Okafor"],
            "devices": ["Nursery Nightlight", "Porch Sconce"],
        },
    }
)
NBEST_UNSURE = _decoded(("x", -1.0))  # no n-best agreement: no word is protected


def _alternatives(text: str, nbest: Decoded = NBEST_UNSURE) -> list[str]:
    return [a.text for a in _biaser(SPELL_CONTEXT).alternatives(text, nbest)]


def test_spell_check_proposes_sound_alike_catalog_phrases() -> None:
    assert "Call Siobhan Okafor." in _alternatives("Call Shavon of a four.")
    # A word the phrase shares must stand where the phrase has it.
    porch = _alternatives("Turn on the porch scones.")
    assert "Turn on the Porch Sconce." in porch
    assert not any("porch Porch" in text for text in porch)
    # ... and a shared word is no evidence: the rest must sound alike ("eye", "Nightlight").
    assert not any("Nightlight" in text for text in _alternatives("Turn on the nursery eye."))


def test_a_respelled_span_keeps_the_pause_inside_it() -> None:
    # "Shavon, of a four" before more words: the reading keeps the comma as the span's pause.
    assert "Call Siobhan Okafor, please." in _alternatives("Call Shavon, of a four please.")
    assert "Call Siobhan Okafor." in _alternatives("Call Shavon, of a four.")


def test_spell_check_leaves_recognised_entries_and_homophones_alone() -> None:
    assert not any("Okafor" in t for t in _alternatives("Call Siobhan Okafor, please."))
    # "Marshall" is no evidence for "martial", and "Linh" does not sound like "play a".
    assert not any("Marshall" in t for t in _alternatives("Play a martial arts movie."))


def test_spell_check_respects_protected_words_and_the_budget() -> None:
    sure = _decoded(("Call to be committed.", -0.4), ("Call to be committed!", -0.5))
    strict = BiasOptions(protected_similarity=0.9, named_protected_similarity=0.9)
    biaser = _biaser(SPELL_CONTEXT, strict)
    assert biaser.alternatives("Call to be committed.", sure) == []
    assert (
        _biaser(SPELL_CONTEXT, BiasOptions(max_alternatives=0)).alternatives(
            "Call Shavon of a four.", NBEST_UNSURE
        )
        == []
    )
    capped = _biaser(SPELL_CONTEXT, BiasOptions(max_alternatives=2))
    assert len(capped.alternatives("Call Shavon of a four.", NBEST_UNSURE)) <= 2


def test_spell_check_takes_what_the_decoder_believes_more() -> None:
    biaser = _biaser(SPELL_CONTEXT)
    found = biaser.alternatives("Call Shavon of a four.", NBEST_UNSURE)
    okafor = next(a for a in found if a.text == "Call Siobhan Okafor.")
    others = [a for a in found if a is not okafor]
    scores = [-9.0 if a is okafor else -20.0 for a in found]
    assert biaser.pick(_against(-10.0, found, scores)) is okafor
    assert biaser.pick(_against(-8.0, found, scores)) is None  # the decoder prefers what it wrote
    # The options the assistant just named start with a prior (named_prior nats).
    named = biaser.alternatives("Lena Marshall, please.", NBEST_UNSURE)
    linh = next(a for a in named if a.phrase.text == "Linh Marshall")
    assert linh.named
    rest = [-30.0 if a is not linh else -10.5 for a in named]
    assert biaser.pick(_against(-10.0, named, rest)) is linh
    assert others  # more than one reading was on offer


def test_a_named_option_that_the_audio_prefers_wins_a_narrow_loss() -> None:
    """The prompted decoder still prefers "Lena Marshall" over the option just named, by
    less than named_answer_loss nats: the audio decides, once the language prior is out."""
    biaser = _biaser(SPELL_CONTEXT, BiasOptions(named_answer_loss=8.0, named_answer_heard=1.0))
    text = "Lena Marshall, please."
    linh = next(a for a in biaser.alternatives(text, NBEST_UNSURE) if a.text.startswith("Linh"))

    def checks(gain: float, alternative: Alternative = linh) -> tuple[bool, bool]:
        return biaser.audio_checks(text, Scored(alternative, gain))

    assert checks(-3.0) == (True, True)
    assert checks(0.5) == (False, False)  # it wins anyway (named_prior): no more scoring
    assert checks(-9.0) == (False, False)  # the prompted decoder is too sure
    assert checks(-3.0, replace(linh, named=False)) == (False, False)  # not an expected answer
    # Across two runs of words the prior weighs the frames, not the name: no prior check.
    reframed = replace(linh, text="Well, Linh Marshall, please, I said.")
    assert checks(-3.0, reframed) == (True, False)
    assert biaser.pick([Scored(linh, -3.0, -12.0, -14.0)]) is linh  # the audio gains 2 nats
    assert biaser.pick([Scored(linh, -3.0, -12.0, -12.5)]) is None  # 0.5: under the bar
    assert biaser.pick([Scored(linh, -3.0, -12.0, None)]) is None
    assert biaser.pick([Scored(linh, -9.0, -12.0, -20.0)]) is None  # too sure of the text


@pytest.mark.parametrize(
    "bad",
    [
        {"max_alternatives": -1},
        {"named_prior": -0.5},
        {"homophone_similarity": 1.5},
        {"contest_margin": -1.0},
        {"contest_plain_loss": -0.5},
        {"near_margin": -1.0},
        {"near_plain_loss": -0.5},
        {"prior_free_margin": -1.0},
        {"named_answer_loss": -1.0},
        {"max_biased_respellings": -1},
        {"max_swaps": -1},
        {"swap_margin": -1.0},
    ],
)
def test_spell_check_and_contest_options_are_checked(bad: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        BiasOptions(**bad)  # type: ignore[arg-type]


# -- contests: spans the guard refused on sound alone, judged by the decoder -----------------


def test_guard_offers_a_span_refused_on_sound_alone_as_a_contest() -> None:
    biaser = _biaser(SPELL_CONTEXT)
    unbiased = _decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    merged = biaser.merge(unbiased, chosen, _decoded(("Turn on the Nursery Nightlight.", -0.2)))
    assert merged.text == "Turn on the Nursery eye."
    assert "does not sound alike" in merged.reason
    (contest,) = merged.contested
    assert contest.contested and contest.text == "Turn on the Nursery Nightlight."
    assert contest.phrase.text == "Nursery Nightlight" and contest.heard == "eye"


def test_a_contest_comes_in_each_frame_the_biased_beam_gave_its_phrase() -> None:
    biaser = _biaser(SPELL_CONTEXT)
    unbiased = _decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    biased = _decoded(
        (chosen.text, -0.2),
        ("Turn on the Nursery Nightlight!", -0.3),  # the same words: no new reading
        ("Turn the Nursery Nightlight on.", -0.4),
        ("Turn on the Porch Sconce.", -0.5),  # not the contested phrase
        ("Turn off the Nursery Nightlight.", -0.6),
        ("Turn up the Nursery Nightlight.", -0.7),  # over the cap
    )
    merged = biaser.merge(unbiased, chosen, biased)
    assert [c.text for c in merged.contested] == [
        "Turn on the Nursery Nightlight.",
        "Turn the Nursery Nightlight on.",
        "Turn off the Nursery Nightlight.",
    ]
    assert all(c.contested and c.phrase.text == "Nursery Nightlight" for c in merged.contested)


def test_guard_offers_no_contest_for_words_outside_a_catalog() -> None:
    chosen = Hypothesis("Paul the plumber.", -0.1)
    merged = _biaser().merge(_decoded(("Call the plumber.", -0.3)), chosen, _decoded(("x", -1)))
    assert merged.contested == ()
    # A part of an entry mid-sentence is refused outright, not contested.
    biased = _decoded(("Turn the Bauer off.", -0.1))
    unbiased = _decoded(("Turn the power off.", -0.3))
    merged = _biaser().merge(unbiased, Hypothesis("Turn the Bauer off.", -0.1), biased)
    assert merged.contested == ()


def test_guard_treats_a_homophone_as_no_evidence() -> None:
    # "Marshall" is "martial" to the ear; "Leila" must then sound like "play a" on its own.
    biaser = _biaser(SPELL_CONTEXT)
    unbiased = _decoded(("Play a martial arts movie.", -0.3), ("Play a martial arts movie!", -0.4))
    chosen = Hypothesis("Leila Marshall arts movie.", -0.2)
    merged = biaser.merge(unbiased, chosen, _decoded(("Leila Marshall arts movie.", -0.2)))
    assert merged.text == "Play a martial arts movie."
    assert "homophone" in merged.reason


def test_a_homophone_heard_elsewhere_in_the_sentence_is_no_evidence_either() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Zofia: Zofia Schmidt or Zofia Carr?"}],
            "catalogs": {"contacts": ["Zofia Schmidt", "Zofia Carr", "Costco Gasoline"]},
        }
    )
    biaser = _biaser(context)
    # "Carr" came from the "car" the sentence still has; "Zofia" must then sound like
    # "Start with" on its own, and does not.
    unbiased = _decoded(("Start with the car.", -0.8), ("Start with the car!", -1.0))
    chosen = Hypothesis("Zofia Carr to the car.", -0.7)
    merged = biaser.merge(unbiased, chosen, _decoded((chosen.text, -0.7)))
    assert merged.text == "Start with the car."
    assert "homophone" in merged.reason
    # The phrase's own word, heard by both passes, is not "elsewhere".
    unbiased = _decoded(("Get the cost to go gasoline.", -0.8))
    chosen = Hypothesis("Get the cost of Costco gasoline.", -0.5)
    merged = biaser.merge(unbiased, chosen, _decoded((chosen.text, -0.5)))
    assert "homophone" not in merged.reason


def test_guard_refuses_a_phrase_that_brings_a_stray_part_of_another_entry() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Kwame Barr or Kwame Castellanos?"}],
            "catalogs": {"contacts": ["Kwame Barr", "Kwame Castellanos", "Ravi Castellanos"]},
        }
    )
    # "Ravi" (of "Ravi Castellanos") is the prompt's list running on, not something heard.
    unbiased = _decoded(("I come out near me.", -1.0))
    chosen = Hypothesis("Kwame Barr, Ravi.", -1.0)
    merged = _biaser(context).merge(unbiased, chosen, _decoded((chosen.text, -1.0)))
    assert merged.text == "I come out near me."
    assert "stray part" in merged.reason
    # Answer fillers around the phrase are no stray part.
    unbiased = _decoded(("I come back, please.", -1.0))
    chosen = Hypothesis("Kwame Barr, please.", -0.5)
    merged = _biaser(context).merge(unbiased, chosen, _decoded((chosen.text, -0.5)))
    assert "stray part" not in merged.reason


def test_a_contest_needs_the_decoder_with_and_without_the_context() -> None:
    options = BiasOptions(
        contest_margin=5.0, contest_plain_loss=10.0, near_margin=1.0, near_plain_loss=5.0
    )
    biaser = _biaser(SPELL_CONTEXT, options)
    unbiased = _decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    merged = biaser.merge(unbiased, chosen, _decoded(("Turn on the Nursery Nightlight.", -0.2)))
    (contest,) = merged.contested

    def wins(gain: float, plain_gain: float | None, prior_gain: float | None = None) -> bool:
        return biaser.pick([Scored(contest, gain, plain_gain, prior_gain)]) is contest

    assert wins(6.0, -8.0)
    assert not wins(4.0, -8.0)  # not preferred by 5 nats
    assert not wins(6.0, -11.0)  # the audio says no
    assert not wins(6.0, None)  # never scored without it
    # Nearly accepted without the prompt (2 nats lost): a smaller preference with it will do.
    assert wins(3.0, -2.0)
    assert not wins(0.5, -2.0)  # under near_margin
    assert not wins(3.0, -6.0)  # over near_plain_loss


def test_a_contest_also_wins_when_the_audio_prefers_it_once_the_language_prior_is_out() -> None:
    """A rare name loses many nats without the prompt because the decoder's language prior
    dislikes it (its score with no audio): when that prior is the whole loss, the audio is
    for it."""
    options = BiasOptions(
        contest_margin=5.0,
        contest_plain_loss=10.0,
        near_plain_loss=5.0,
        prior_free_margin=3.0,
        prior_free_gain=0.0,
    )
    biaser = _biaser(SPELL_CONTEXT, options)
    unbiased = _decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    merged = biaser.merge(unbiased, chosen, _decoded((chosen.text, -0.2)))
    (contest,) = merged.contested

    def wins(gain: float, plain_gain: float, prior_gain: float | None) -> bool:
        return biaser.pick([Scored(contest, gain, plain_gain, prior_gain)]) is contest

    assert not wins(4.0, -12.0, None)  # the plain loss alone refuses it
    assert wins(4.0, -12.0, -13.0)  # the prior costs 13 nats, the audio gains 1
    assert not wins(4.0, -12.0, -11.0)  # the audio itself is against it
    assert not wins(2.0, -12.0, -13.0)  # the prompt does not prefer it by 3 nats
    assert Scored(contest, 4.0, -12.0, -13.0).heard_gain == pytest.approx(1.0)


def test_guard_reads_the_biased_words_as_the_catalog_spells_them() -> None:
    # "Shavon Okafer" is the biased pass reaching for "Siobhan Okafor": no exact catalog phrase
    # stands in it, yet the guard judges it as the name it sounds like.
    unbiased = _decoded(("She won't, okay for.", -0.6), ("She won't okay for.", -0.7))
    chosen = Hypothesis("Shavon Okafer.", -0.2)
    merged = _biaser().merge(unbiased, chosen, _decoded(("Shavon Okafer.", -0.2)))
    assert merged.text == "Siobhan Okafor."
    assert merged.transplanted == ("Siobhan Okafor.",)


# -- swaps: another entry in place of one the text has, judged by the audio ------------------


SWAP_CONTEXT = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Which Linh: Linh Lefebvre or Linh Mahmoud?"}],
        "catalogs": {"contacts": ["Linh Lefebvre", "Linh Mahmoud", "Kwame Mahmoud", "Rose Tyler"]},
    }
)


def test_spell_check_offers_the_other_options_in_place_of_an_entry() -> None:
    swaps = [a for a in _biaser(SWAP_CONTEXT).alternatives("Linh Lefebvre.", NBEST_UNSURE)]
    by_text = {a.text: a for a in swaps if a.swapped}
    # The other option, though it sounds unlike; an entry that sounds alike; never an unnamed
    # entry that sounds unlike ("Rose Tyler"), nor the entry itself.
    assert by_text["Linh Mahmoud."].named and by_text["Linh Mahmoud."].plain_checked
    assert "Rose Tyler." not in by_text and "Linh Lefebvre." not in by_text
    # A surname alone is swapped for the other option's surname in a short answer only.
    short = {a.text for a in _biaser(SWAP_CONTEXT).alternatives("Lefebvre, please.", NBEST_UNSURE)}
    assert "Mahmoud, please." in short
    mid = _biaser(SWAP_CONTEXT).alternatives("Tell Lefebvre I am on my way.", NBEST_UNSURE)
    assert not [a for a in mid if a.swapped]


def test_a_swap_needs_the_audio_to_prefer_it_without_the_context() -> None:
    biaser = _biaser(SWAP_CONTEXT, BiasOptions(swap_margin=1.0))
    swap = next(a for a in biaser.alternatives("Linh Lefebvre.", NBEST_UNSURE) if a.swapped)
    assert biaser.pick([Scored(swap, 2.0, 2.0)]) is swap
    assert biaser.pick([Scored(swap, 0.5, 2.0)]) is None  # not preferred by 1 nat
    assert biaser.pick([Scored(swap, 7.0, -0.5)]) is None  # the prompt alone wants it
    assert biaser.pick([Scored(swap, 7.0, None)]) is None  # never scored without it


def test_the_biased_reading_is_respelled_too_and_judged_as_a_contest() -> None:
    # The guard kept "made a boogie" (no catalog phrase in the biased span), but the biased
    # pass wrote something close to an entry, in a frame of its own.
    biaser = _biaser(SPELL_CONTEXT)
    unbiased = _decoded(("Call made a boogie in.", -0.9))
    chosen = Hypothesis("Call Shavon of a four.", -0.4)
    merged = biaser.merge(unbiased, chosen, _decoded((chosen.text, -0.4)))
    assert merged.text == "Call made a boogie in." and merged.biased == chosen.text
    readings = {a.text: a for a in biaser.biased_alternatives(merged, unbiased)}
    assert readings["Call Siobhan Okafor."].contested
    assert all(a.contested for a in readings.values())
    # Nothing when the biased reading is the text, or when the budget is 0.
    same = Merged("Call Shavon of a four.", (), "", biased="Call Shavon of a four.")
    assert biaser.biased_alternatives(same, unbiased) == []
    # ... and only the biased words the text lacks are new: the rest was spell-checked with it.
    shared = Merged("Call Shavon of a four, please.", (), "", biased="Call Shavon of a four.")
    assert biaser.biased_alternatives(shared, unbiased) == []
    off = _biaser(SPELL_CONTEXT, BiasOptions(max_biased_respellings=0))
    assert off.biased_alternatives(merged, unbiased) == []


def test_the_language_prior_is_taken_out_only_within_one_frame() -> None:
    biaser = _biaser(SPELL_CONTEXT)
    okafor = next(p for p in biaser.plan.index.exact("Siobhan Okafor") if p.whole)

    def reading(text: str) -> Alternative:
        return Alternative(text, "", okafor, 0.5, named=False, contested=True)

    assert in_one_span("Call Shavon of a four.", reading("Call Siobhan Okafor."))
    assert in_one_span("Call Shavon of a four.", reading("Call to Siobhan Okafor."))
    assert in_one_span("Hand you the bay eye out.", reading("Siobhan Okafor."))
    # Two differing runs, or another sentence altogether: the frames differ.
    two_runs = reading("Tell Siobhan Okafor, then go home.")
    assert not in_one_span("Call Shavon of a four, then come home.", two_runs)
    assert not in_one_span(
        "We don't play, but we don't play.", reading("Play it by Siobhan Okafor there.")
    )


def _against(current: float, alternatives: list[Alternative], scores: list[float]) -> list[Scored]:
    """Alternatives scored with the prompt only, as gains over the current reading."""
    return [Scored(a, score - current) for a, score in zip(alternatives, scores, strict=True)]
