"""Step 3a, the spell check: which readings it proposes to the decoder."""

from __future__ import annotations

from ctxasr.asr.bias import (
    BiasOptions,
    Merged,
)
from ctxasr.asr.engine import Hypothesis
from ctxasr.context import DialogueContext
from tests.asr.bias.common import (
    NBEST_UNSURE,
    SPELL_CONTEXT,
    SWAP_CONTEXT,
    alternative_texts,
    decoded,
    make_biaser,
)


def test_spell_check_proposes_sound_alike_catalog_phrases() -> None:
    assert "Call Siobhan Okafor." in alternative_texts("Call Shavon of a four.")
    # A word the phrase shares must stand where the phrase has it.
    porch = alternative_texts("Turn on the porch scones.")
    assert "Turn on the Porch Sconce." in porch
    assert not any("porch Porch" in text for text in porch)
    # ... and a shared word is no evidence: the rest must sound alike ("eye", "Nightlight").
    assert not any("Nightlight" in text for text in alternative_texts("Turn on the nursery eye."))


def test_words_before_a_shared_word_may_become_the_phrase_s_other_words() -> None:
    screen = DialogueContext.from_json(
        {"turns": [], "catalogs": {"screen": ["Song Exploder", "Invisibilia"]}}
    )
    texts = {a.text for a in make_biaser(screen).alternatives("It's on Exploder.", NBEST_UNSURE)}
    # "it's on" stands for "Song"; "Exploder" keeps its place after it.
    assert "Song Exploder." in texts
    # A reading that drops a heard word or moves a shared one is never proposed.
    dropped = make_biaser(screen).alternatives("Open Invisibilia now.", NBEST_UNSURE)
    assert not any(a.text.startswith("Invisibilia") for a in dropped)
    moved = make_biaser(screen).alternatives("Exploder song.", NBEST_UNSURE)
    assert "Song Exploder." not in {a.text for a in moved}


def test_a_respelled_span_keeps_the_pause_inside_it() -> None:
    # "Shavon, of a four" before more words: the reading keeps the comma as the span's pause.
    assert "Call Siobhan Okafor, please." in alternative_texts("Call Shavon, of a four please.")
    assert "Call Siobhan Okafor." in alternative_texts("Call Shavon, of a four.")


def test_spell_check_leaves_recognised_entries_and_homophones_alone() -> None:
    assert not any("Okafor" in t for t in alternative_texts("Call Siobhan Okafor, please."))
    # "Marshall" is no evidence for "martial", and "Linh" does not sound like "play a".
    assert not any("Marshall" in t for t in alternative_texts("Play a martial arts movie."))


def test_a_near_homophone_is_no_evidence_either() -> None:
    # "Bauer" is "power" but for voicing (0.88 alike): "Declan" must sound like "turn the ...
    # off" on its own (0.38), and does not. The short answer "power." still becomes "Bauer.".
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Declan: Declan Jones or Declan Bauer?"}],
            "catalogs": {"contacts": ["Declan Jones", "Declan Bauer"]},
        }
    )
    biaser = make_biaser(context)
    texts = [a.text for a in biaser.alternatives("Turn the power off.", NBEST_UNSURE)]
    assert not any("Declan Bauer" in text for text in texts)
    assert "Bauer." in [a.text for a in biaser.alternatives("Power.", NBEST_UNSURE)]
    lax = make_biaser(context, BiasOptions(evidence_similarity=0.9))
    lax_texts = [a.text for a in lax.alternatives("Turn the power off.", NBEST_UNSURE)]
    assert "Declan Bauer." in lax_texts


def test_spell_check_respects_protected_words_and_the_budget() -> None:
    sure = decoded(("Call to be committed.", -0.4), ("Call to be committed!", -0.5))
    strict = BiasOptions(protected_similarity=0.9, named_protected_similarity=0.9)
    biaser = make_biaser(SPELL_CONTEXT, strict)
    assert biaser.alternatives("Call to be committed.", sure) == []
    assert (
        make_biaser(SPELL_CONTEXT, BiasOptions(max_alternatives=0)).alternatives(
            "Call Shavon of a four.", NBEST_UNSURE
        )
        == []
    )
    capped = make_biaser(SPELL_CONTEXT, BiasOptions(max_alternatives=2))
    assert len(capped.alternatives("Call Shavon of a four.", NBEST_UNSURE)) <= 2
    # Readings over words the n-best agrees on are marked (the lead rule asks the audio too).
    found = make_biaser(SPELL_CONTEXT).alternatives("Call to be committed.", sure)
    assert found and all(a.over_sure_words for a in found)
    unsure = make_biaser(SPELL_CONTEXT).alternatives("Call to be committed.", NBEST_UNSURE)
    assert unsure and not any(a.over_sure_words for a in unsure)


def test_spell_check_offers_the_other_options_in_place_of_an_entry() -> None:
    swaps = [a for a in make_biaser(SWAP_CONTEXT).alternatives("Linh Lefebvre.", NBEST_UNSURE)]
    by_text = {a.text: a for a in swaps if a.swapped}
    # The other option, though it sounds unlike; an entry that sounds alike; never an unnamed
    # entry that sounds unlike ("Rose Tyler"), nor the entry itself.
    assert by_text["Linh Mahmoud."].named and by_text["Linh Mahmoud."].plain_checked
    assert "Rose Tyler." not in by_text and "Linh Lefebvre." not in by_text
    # A surname alone is swapped for the other option's surname in a short answer only.
    short = {
        a.text for a in make_biaser(SWAP_CONTEXT).alternatives("Lefebvre, please.", NBEST_UNSURE)
    }
    assert "Mahmoud, please." in short
    mid = make_biaser(SWAP_CONTEXT).alternatives("Tell Lefebvre I am on my way.", NBEST_UNSURE)
    assert not [a for a in mid if a.swapped]


def test_an_option_given_as_the_answer_is_not_respelled_as_another_entry() -> None:
    # "Tran, please." answers "Omar Dubois or Omar Tran?": "Ciaran" of another contact
    # (0.57 alike; it won by 0.09 nats on voices B, val2 d00227) is no reading of it.
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Omar: Omar Dubois or Omar Tran?"}],
            "catalogs": {"contacts": ["Omar Dubois", "Omar Tran", "Ciaran Khoury"]},
        }
    )
    answered = make_biaser(context).alternatives("Tran, please.", NBEST_UNSURE)
    assert not any("Ciaran" in a.text for a in answered)
    # The other option may still have been misheard as this one.
    assert [a.text for a in answered if a.swapped] == ["Dubois, please."]
    # Nor is another entry read into a short answer that names no option: the answer check
    # would refuse it, and it might hide an option the decoder nearly took (val13 d00140).
    assert not any("Ciaran" in t for t in alternative_texts("Tram, please.", context=context))
    off = make_biaser(context, BiasOptions(only_offered_entries=False))
    assert "Ciaran, please." in [a.text for a in off.alternatives("Tram, please.", NBEST_UNSURE)]


def test_the_biased_reading_is_respelled_too_and_judged_as_a_contest() -> None:
    # The guard kept "made a boogie" (no catalog phrase in the biased span), but the biased
    # pass wrote something close to an entry, in a frame of its own.
    biaser = make_biaser(SPELL_CONTEXT)
    unbiased = decoded(("Call made a boogie in.", -0.9))
    chosen = Hypothesis("Call Shavon of a four.", -0.4)
    merged = biaser.merge(unbiased, chosen, decoded((chosen.text, -0.4)))
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
    off = make_biaser(SPELL_CONTEXT, BiasOptions(max_biased_respellings=0))
    assert off.biased_alternatives(merged, unbiased) == []


CARDS = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Sure. Which card do you play?"}],
        "catalogs": {
            "cards": [f"{r} of {s}" for s in ("Clubs", "Hearts") for r in ("Five", "Ten", "Queen")]
        },
    }
)


def test_no_reading_drops_a_word_beside_the_homophone_it_keeps() -> None:
    # Real speech: "five five" after a card question was read "Five" (a part of "Five of
    # Clubs" that is the homophone of one heard "5"), dropping the other.
    for nbest in (NBEST_UNSURE, decoded(("5, 5", -0.3), ("5, 5.", -0.4))):
        texts = [a.text for a in make_biaser(CARDS).alternatives("5, 5", nbest)]
        assert not any(text.strip(".") == "Five" for text in texts)
    # Answer fillers beside it are no words of their own: "The power." may still be "Bauer.".
    texts = [a.text for a in make_biaser().alternatives("The power.", NBEST_UNSURE)]
    assert any("Bauer" in text for text in texts)
    # A misheard card is still respelled.
    assert "Queen of Clubs." in alternative_texts("Queen of Clothes.", context=CARDS)


def test_an_entry_heard_as_words_is_read_only_where_an_entry_is_asked_for() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Who should I send it to?"}],
            "catalogs": {"contacts": ["Will Wright", "Meg Bauer"]},
        }
    )
    assert not any(
        "Wright" in t for t in alternative_texts("I will write it down.", context=context)
    )
    assert "Message Will Wright." in alternative_texts("Message will write.", context=context)
