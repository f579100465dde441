"""Step 2, the guard, on hand-made decodings: what it takes, refuses and contests."""

from __future__ import annotations

from ctxasr.asr.bias import (
    BiasOptions,
)
from ctxasr.asr.engine import Hypothesis
from ctxasr.context import DialogueContext
from ctxasr.text import words
from tests.asr.bias.common import (
    NBEST_UNSURE,
    SPELL_CONTEXT,
    decoded,
    make_biaser,
)


def test_guard_takes_a_sound_alike_catalog_phrase() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    biased = decoded(("Meg Bauer.", -0.1), ("Mate Bauer.", -0.9))
    unbiased = decoded(("Mate Bauer.", -0.4), ("May Bauer.", -0.5))
    merged = make_biaser().merge(unbiased, chosen, biased)
    assert merged.text == "Meg Bauer."
    assert merged.transplanted == ("Meg",)


def test_a_narrow_biased_win_is_judged_like_any_other() -> None:
    # The reply to "Meg Jones or Meg Bauer?" that the biased beam ranks just above "Power.":
    # its context bonus decided it, which is what the bonus is for.
    chosen = Hypothesis("Bauer.", -0.30)
    biased = decoded(("Bauer.", -0.30), ("Power.", -0.32))
    merged = make_biaser().merge(decoded(("Power.", -0.3), ("Bower.", -0.4)), chosen, biased)
    assert merged.text == "Bauer."
    assert merged.transplanted == ("Bauer.",)
    # The same narrow win inside a request about something else is refused on its place.
    chosen = Hypothesis("Turn the Bauer off.", -0.30)
    biased = decoded((chosen.text, -0.30), ("Turn the power off.", -0.31))
    unbiased = decoded(("Turn the power off.", -0.2), ("Turn the power off!", -0.3))
    merged = make_biaser().merge(unbiased, chosen, biased)
    assert merged.text == "Turn the power off."
    assert "part of an entry" in merged.reason


def test_guard_protects_words_the_unbiased_nbest_agrees_on() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    unbiased = decoded(("Mate Bauer.", -0.4), ("Mate Bauer!", -0.5), ("mate bauer", -0.6))
    biased = decoded(("Meg Bauer.", -0.1))
    not_offered = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Who should I call?"}],
            "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]},
        }
    )
    # "Mate" sounds 0.53 like "Meg": below a bar of 0.6 for confident words, above 0.5.
    strict = BiasOptions(protected_similarity=0.6, named_protected_similarity=0.5)
    merged = make_biaser(not_offered, strict).merge(unbiased, chosen, biased)
    assert merged.text == "Mate Bauer."
    assert "confident words" in merged.reason
    # The assistant just offered "Meg Bauer": an expected answer needs less evidence.
    assert make_biaser(options=strict).merge(unbiased, chosen, biased).text == "Meg Bauer."
    # Without n-best agreement the same words are not protected.
    unsure = decoded(("Mate Bauer.", -0.4), ("May Bauer.", -0.5), ("Made Bauer.", -0.6))
    assert make_biaser(not_offered, strict).merge(unsure, chosen, biased).text == "Meg Bauer."


def test_guard_allows_a_surname_only_as_a_short_answer() -> None:
    biaser = make_biaser()
    biased = decoded(("Turn the Bauer off.", -0.1))
    unbiased = decoded(("Turn the power off.", -0.3), ("Turn the tower off.", -0.4))
    merged = biaser.merge(unbiased, Hypothesis("Turn the Bauer off.", -0.1), biased)
    assert merged.text == "Turn the power off."  # "Bauer" alone mid-sentence: refused
    merged = biaser.merge(
        decoded(("Power.", -0.3), ("Tower.", -0.4)),
        Hypothesis("Bauer.", -0.1),
        decoded(("Bauer.", -0.1)),
    )
    assert merged.text == "Bauer."
    merged = biaser.merge(
        decoded(("Just the power.", -0.3), ("Just the tower.", -0.4)),
        Hypothesis("Just the Bauer.", -0.1),
        decoded(("Just the Bauer.", -0.1)),
    )
    assert merged.text == "Just the Bauer."  # "just", like "the one with", frames an answer


def test_a_part_every_option_shares_is_no_answer() -> None:
    """After "Meg Jones or Meg Bauer?", "Meg." chooses neither option: the guard, the spell
    check and the swaps leave it out, though it is a short answer."""
    biaser = make_biaser()
    merged = biaser.merge(
        decoded(("May.", -0.3), ("Mag.", -0.4)), Hypothesis("Meg.", -0.1), decoded(("Meg.", -0.1))
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
    merged = make_biaser(one).merge(
        decoded(("May.", -0.3), ("Mag.", -0.4)), Hypothesis("Meg.", -0.1), decoded(("Meg.", -0.1))
    )
    assert merged.text == "Meg."


def test_guard_refuses_words_that_do_not_sound_alike_or_are_not_in_a_catalog() -> None:
    biaser = make_biaser()
    chosen = Hypothesis("Call Meg Bauer now.", -0.1)
    biased = decoded(("Call Meg Bauer now.", -0.1))
    # "the dentist" does not sound like "Meg Bauer".
    merged = biaser.merge(decoded(("Call the dentist now.", -0.3)), chosen, biased)
    assert merged.text == "Call the dentist now."
    # Words that are not catalog phrases never replace unbiased words.
    chosen = Hypothesis("Paul the plumber.", -0.1)
    merged = biaser.merge(decoded(("Call the plumber.", -0.3)), chosen, decoded(("x", -1)))
    assert merged.text == "Call the plumber."


def test_guard_refuses_inserted_context_words() -> None:
    chosen = Hypothesis("Meg Bauer.", -0.1)
    merged = make_biaser().merge(decoded(("Bauer.", -0.3)), chosen, decoded(("Meg Bauer.", -0.1)))
    assert merged.text == "Bauer."


def test_guard_takes_the_biased_boundaries_of_an_accepted_phrase() -> None:
    chosen = Hypothesis("Siobhan Okafor.", -0.05)
    unbiased = decoded(("She won't knock at her.", -0.6), ("She won't knock effort.", -0.7))
    merged = make_biaser().merge(unbiased, chosen, decoded(("Siobhan Okafor.", -0.05)))
    assert merged.text == "Siobhan Okafor."


def test_merged_words_keep_the_case_of_their_place_in_the_sentence() -> None:
    # The biased pass heard only "Please." (a sentence of its own); merged after the unbiased
    # "No, but" it goes on a sentence, and a catalog's spelling keeps its capitals anywhere.
    unbiased = decoded(("No, but please.", -0.6))
    merged = make_biaser().merge(unbiased, Hypothesis("Please.", -0.5), decoded(("Please.", -0.5)))
    assert merged.text == "No, but please."
    chosen = Hypothesis("Rose Tyler.", -0.2)
    merged = make_biaser().merge(
        decoded(("and rose tyler.", -0.4)), chosen, decoded(("Rose Tyler.", -0.2))
    )
    assert merged.text == "and Rose Tyler."


def test_guard_offers_a_span_refused_on_sound_alone_as_a_contest() -> None:
    biaser = make_biaser(SPELL_CONTEXT)
    unbiased = decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    merged = biaser.merge(unbiased, chosen, decoded(("Turn on the Nursery Nightlight.", -0.2)))
    assert merged.text == "Turn on the Nursery eye."
    assert "does not sound alike" in merged.reason
    (contest,) = merged.contested
    assert contest.contested and contest.text == "Turn on the Nursery Nightlight."
    assert contest.phrase.text == "Nursery Nightlight" and contest.heard == "eye"


def test_a_contest_comes_in_each_frame_the_biased_beam_gave_its_phrase() -> None:
    biaser = make_biaser(SPELL_CONTEXT)
    unbiased = decoded(("Turn on the Nursery eye.", -0.6))
    chosen = Hypothesis("Turn on the Nursery Nightlight.", -0.2)
    biased = decoded(
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
    merged = make_biaser().merge(decoded(("Call the plumber.", -0.3)), chosen, decoded(("x", -1)))
    assert merged.contested == ()
    # A part of an entry mid-sentence is refused outright, not contested.
    biased = decoded(("Turn the Bauer off.", -0.1))
    unbiased = decoded(("Turn the power off.", -0.3))
    merged = make_biaser().merge(unbiased, Hypothesis("Turn the Bauer off.", -0.1), biased)
    assert merged.contested == ()


def test_guard_treats_a_homophone_as_no_evidence() -> None:
    # "Marshall" is "martial" to the ear; "Leila" must then sound like "play a" on its own.
    biaser = make_biaser(SPELL_CONTEXT)
    unbiased = decoded(("Play a martial arts movie.", -0.3), ("Play a martial arts movie!", -0.4))
    chosen = Hypothesis("Leila Marshall arts movie.", -0.2)
    merged = biaser.merge(unbiased, chosen, decoded(("Leila Marshall arts movie.", -0.2)))
    assert merged.text == "Play a martial arts movie."
    assert "homophone" in merged.reason


def test_a_near_homophone_needs_the_rest_of_the_phrase_heard_or_alike() -> None:
    # "Bauer" is "power" but for voicing: no evidence by itself. "Meg" was heard by both
    # passes, so "Meg Power." is "Meg Bauer."; "turn the ... off" is nothing like "Declan".
    declan = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Declan: Declan Jones or Declan Bauer?"}],
            "catalogs": {"contacts": ["Declan Jones", "Declan Bauer", "Meg Bauer"]},
        }
    )
    biaser = make_biaser(declan)
    meg = biaser.merge(
        decoded(("Meg Power.", -0.5)), Hypothesis("Meg Bauer.", -0.1), decoded(("Meg Bauer.", -0.1))
    )
    assert meg.text == "Meg Bauer."
    unbiased = decoded(("Turn the power off.", -0.3))
    chosen = Hypothesis("Declan Bauer.", -0.2)
    merged = biaser.merge(unbiased, chosen, decoded((chosen.text, -0.2)))
    assert merged.text == "Turn the power off."
    assert "homophone" in merged.reason


def test_a_homophone_heard_elsewhere_in_the_sentence_is_no_evidence_either() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Zofia: Zofia Schmidt or Zofia Carr?"}],
            "catalogs": {"contacts": ["Zofia Schmidt", "Zofia Carr", "Costco Gasoline"]},
        }
    )
    biaser = make_biaser(context)
    # "Carr" came from the "car" the sentence still has; "Zofia" must then sound like
    # "Start with" on its own, and does not.
    unbiased = decoded(("Start with the car.", -0.8), ("Start with the car!", -1.0))
    chosen = Hypothesis("Zofia Carr to the car.", -0.7)
    merged = biaser.merge(unbiased, chosen, decoded((chosen.text, -0.7)))
    assert merged.text == "Start with the car."
    assert "homophone" in merged.reason
    # The phrase's own word, heard by both passes, is not "elsewhere".
    unbiased = decoded(("Get the cost to go gasoline.", -0.8))
    chosen = Hypothesis("Get the cost of Costco gasoline.", -0.5)
    merged = biaser.merge(unbiased, chosen, decoded((chosen.text, -0.5)))
    assert "homophone" not in merged.reason


def test_guard_refuses_a_phrase_that_brings_a_stray_part_of_another_entry() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Kwame Barr or Kwame Castellanos?"}],
            "catalogs": {"contacts": ["Kwame Barr", "Kwame Castellanos", "Ravi Castellanos"]},
        }
    )
    # "Ravi" (of "Ravi Castellanos") is the prompt's list running on, not something heard.
    unbiased = decoded(("I come out near me.", -1.0))
    chosen = Hypothesis("Kwame Barr, Ravi.", -1.0)
    merged = make_biaser(context).merge(unbiased, chosen, decoded((chosen.text, -1.0)))
    assert merged.text == "I come out near me."
    assert "stray part" in merged.reason
    # Answer fillers around the phrase are no stray part.
    unbiased = decoded(("I come back, please.", -1.0))
    chosen = Hypothesis("Kwame Barr, please.", -0.5)
    merged = make_biaser(context).merge(unbiased, chosen, decoded((chosen.text, -0.5)))
    assert "stray part" not in merged.reason


def test_guard_reads_the_biased_words_as_the_catalog_spells_them() -> None:
    # "Shavon Okafer" is the biased pass reaching for "Siobhan Okafor": no exact catalog phrase
    # stands in it, yet the guard judges it as the name it sounds like.
    unbiased = decoded(("She won't, okay for.", -0.6), ("She won't okay for.", -0.7))
    chosen = Hypothesis("Shavon Okafer.", -0.2)
    merged = make_biaser().merge(unbiased, chosen, decoded(("Shavon Okafer.", -0.2)))
    assert merged.text == "Siobhan Okafor."
    assert merged.transplanted == ("Siobhan Okafor.",)


CAFES = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Find a coffee shop."},
            {"role": "assistant", "text": "I found Blue Bottle, Intelligentsia and Ritual."},
        ],
        "catalogs": {"places": ["Blue Bottle", "Intelligentsia", "Ritual"]},
    }
)


def _merged_text(context: DialogueContext, unbiased: str, biased: str) -> str:
    merged = make_biaser(context).merge(
        decoded((unbiased, -0.6)), Hypothesis(biased, -0.2), decoded((biased, -0.2))
    )
    return merged.text


def test_guard_takes_a_phrase_in_a_request_frame_when_the_phrase_sounds_alike() -> None:
    heard = "Take meat until again this year."
    # "me to" are a request's frame: the phrase alone sounds like "until again" (0.65).
    assert _merged_text(CAFES, heard, "Take me to Intelligentsia.") == "Take me to Intelligentsia."
    # Words of their own around the phrase are no frame: mostly not a catalog phrase.
    assert _merged_text(CAFES, heard, "Take Intelligentsia hats and coats.") == heard


def test_a_request_frame_does_not_carry_a_phrase_that_alone_sounds_unlike() -> None:
    # Frame and phrase together sound a little like any sentence; the phrase alone (0.38)
    # is below an unexpected phrase's bar, even though the assistant named it.
    heard = "The weather is nice today."
    assert _merged_text(CAFES, heard, "Take me to Intelligentsia.") == heard


SCREEN = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Show me some podcasts."},
            {"role": "assistant", "text": "Here are a few podcasts on your screen."},
        ],
        "catalogs": {"screen": ["Reply All", "Song Exploder", "Radiolab"]},
    }
)


def test_a_dropped_word_inside_a_catalog_phrase_is_judged_with_the_phrase() -> None:
    # The biased pass drops "to"/"at" inside "Reply All"; on its own that block is a bare
    # deletion with no phrase in it, so the guard must judge it together with the words the
    # phrase spans beside it.
    assert _merged_text(SCREEN, "Open Reply to All.", "Open Reply All.") == "Open Reply All."
    assert _merged_text(SCREEN, "Play a Reply at All.", "Play Reply All.") == "Play Reply All."
    # A word inserted past the phrase is still something the unbiased pass never heard.
    assert words(_merged_text(SCREEN, "Open Reply.", "Open Reply All now.")) == ["open", "reply"]
    # A dropped word that no phrase spans stays refused.
    assert _merged_text(SCREEN, "Open the Radiolab.", "Open Radiolab.") == "Open the Radiolab."


WILL_WRIGHT = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Who should I send it to?"}],
        "catalogs": {"contacts": ["Will Wright", "Meg Bauer"]},
    }
)


def test_an_entry_heard_as_words_replaces_them_only_where_an_entry_is_asked_for() -> None:
    # piper, "I will write to you tomorrow.": the biased pass wrote the contact's spelling.
    unbiased = decoded(("I will write to you tomorrow.", -0.2))
    chosen = Hypothesis("I Will Wright to you tomorrow.", -0.2)
    merged = make_biaser(WILL_WRIGHT).merge(unbiased, chosen, decoded((chosen.text, -0.2)))
    # (Words both passes heard keep the biased case: "I Will write", the same words. The
    # decoder scores the readings against this text, and its rules were set on it.)
    assert words(merged.text) == words("I will write to you tomorrow.")
    assert "no entry asked for" in merged.reason
    assert merged.contested == ()  # the audio cannot tell them apart: nothing to contest
    unbiased = decoded(("Message will write.", -0.2))
    chosen = Hypothesis("Message Will Wright.", -0.2)
    merged = make_biaser(WILL_WRIGHT).merge(unbiased, chosen, decoded((chosen.text, -0.2)))
    assert merged.text == "Message Will Wright."


def test_a_refused_entry_leaves_the_heard_words_as_heard_and_contests_it_whole() -> None:
    """piper, "Take me to Verve Coffee." heard "take me to birth coffee." by the whole n-best:
    the guard refuses "Verve" on the confident "birth"; the contest puts the entry back as the
    catalog spells it."""
    nearby = DialogueContext.from_json(
        {
            "turns": [
                {"role": "assistant", "text": "Nearby there are Stumptown and Verve Coffee."}
            ],
            "catalogs": {"places": ["Stumptown", "Verve Coffee", "Intelligentsia"]},
        }
    )
    sure = [("take me to birth coffee.", -0.24), ("Take me to birth coffee.", -0.34)]
    chosen = Hypothesis("Take me to Verve Coffee.", -0.18)
    merged = make_biaser(nearby).merge(decoded(*sure), chosen, decoded((chosen.text, -0.18)))
    assert words(merged.text) == words("Take me to birth coffee.")
    assert [c.text for c in merged.contested] == ["Take me to Verve Coffee."]
