"""Framed entries: each entry of a small catalog read in the text's request frame."""

from __future__ import annotations

from dataclasses import replace

from ctxasr.asr.bias import Alternative, BiasOptions, Scored
from ctxasr.context import DialogueContext
from tests.asr.bias.common import NBEST_UNSURE, SWAP_CONTEXT, decoded, make_biaser

SCREEN = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Show me some movies."},
            {"role": "assistant", "text": "Here are a few movies on your screen."},
        ],
        "catalogs": {"screen": ["Incendies", "Oldboy", "Amores Perros"]},
    }
)


def framed(text: str, context: DialogueContext = SCREEN, **options: object) -> list[Alternative]:
    biaser = make_biaser(context, BiasOptions(**options))  # type: ignore[arg-type]
    return biaser.framed_readings(text, NBEST_UNSURE, biaser.answer_readings(text, NBEST_UNSURE))


def test_each_entry_follows_every_cut_of_the_request_frame() -> None:
    readings = framed("Open and send these.")
    incendies = [a.text for a in readings if a.whole_answer == "Incendies"]
    # The frame is "Open and send these" up to its first content word; here all are frame
    # words, so every cut is read, the empty one too.
    assert incendies == [
        "Incendies.",
        "Open Incendies.",
        "Open and Incendies.",
        "Open and send Incendies.",
    ]
    assert {a.whole_answer for a in readings} == {"Incendies", "Oldboy", "Amores Perros"}
    assert all(a.short_answer and not a.named for a in readings)
    (open_incendies,) = [a for a in readings if a.text == "Open Incendies."]
    assert open_incendies.heard == "and send these"
    assert not open_incendies.stands_alone
    assert readings[0].stands_alone


def test_the_frame_ends_at_the_first_content_word_and_please_stays() -> None:
    texts = [a.text for a in framed("Take me to Google, please?") if a.whole_answer == "Oldboy"]
    assert texts == [
        "Oldboy, please?",
        "Take Oldboy, please?",
        "Take me Oldboy, please?",
        "Take me to Oldboy, please?",
    ]
    alone = [a for a in framed("Take me to Google, please?") if a.text == "Oldboy, please?"]
    assert alone[0].stands_alone  # "please" is no frame


LISTING = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Are there any coffee shops around here?"},
            {
                "role": "assistant",
                "text": "I found Verve Coffee, Blue Bottle Coffee and Sightglass.",
            },
        ],
        "catalogs": {"places": ["Verve Coffee", "Blue Bottle Coffee", "Sightglass", "Stumptown"]},
    }
)


def test_after_a_listing_an_entry_needs_a_frame() -> None:
    """A reply to a listing is a request of its own: "Stop." read "Stumptown." is the list's
    echo, while "How do I get to Stumptown?" keeps its heard frame."""
    assert framed("time.", LISTING) == []
    assert framed("Google it, please.", LISTING) == []  # no frame before its first content word
    texts = {a.text for a in framed("How do I get to stop town?", LISTING)}
    assert "How do I get to Stumptown?" in texts
    assert "Stumptown?" not in texts and "How Stumptown?" in texts
    assert "Oldboy." in {a.text for a in framed("time.")}  # nothing listed: alone is fine


def test_no_framed_readings_where_they_do_not_belong() -> None:
    assert framed("Open Oldboy.") == []  # it names an entry
    assert framed("Play amores.") == []  # a part of one
    assert framed("Open and send these.", frame_entry_limit=2) == []  # too many entries
    assert framed("Open and send these.", frame_entry_limit=None) == []  # off
    # After a question with options, only the options' short answers go in the frame.
    after_question = framed("The one with your data.", SWAP_CONTEXT)
    assert {a.text for a in after_question} >= {"The one with Mahmoud.", "The Lefebvre."}
    assert all(a.named and a.short_answer and a.framed for a in after_question)
    # Words the unbiased n-best agrees on are a reply of their own.
    biaser = make_biaser(SCREEN)
    sure = decoded(("Stop.", -1.6), ("stop.", -1.7), ("Stop!", -2.5))
    assert biaser.framed_readings("Stop.", sure, []) == []
    assert biaser.framed_readings("Stop.", NBEST_UNSURE, []) != []


def test_an_entry_standing_alone_must_be_heard_more_clearly() -> None:
    """Both win as short answers do, leading every other entry both ways; an entry alone, with
    no heard word around it, may lose only bare_entry_heard_loss nats by the audio."""
    options = BiasOptions(short_answer_heard_loss=7.0, bare_entry_heard_loss=3.0)
    biaser = make_biaser(SCREEN, options)
    readings = {a.text: a for a in biaser.framed_readings("Open and send these.", NBEST_UNSURE, [])}
    framed_one, alone = readings["Open Incendies."], readings["Incendies."]
    rival = readings["Open Oldboy."]

    def picked(judged: Alternative, gain: float, heard: float) -> Alternative | None:
        return biaser.pick([Scored(judged, gain, heard, 0.0), Scored(rival, -9.0, -9.0, 0.0)])

    assert picked(framed_one, -2.0, -5.0) is framed_one
    assert picked(alone, -2.0, -5.0) is None  # alone: -5 is beyond 3 nats
    assert picked(alone, -2.0, -2.5) is alone
    assert picked(framed_one, -2.0, -9.5) is None  # the rival is ahead by the audio
    assert picked(replace(alone, named=True), -2.0, -5.0) is not None  # an offered option


def test_framed_entries_are_no_rivals_for_the_lead_rule() -> None:
    """The lead rule asks whether the audio singled a respelling out among the readings of the
    heard words; an entry guessed into the frame reads none of them, so a lone respelling
    still leads nothing, however far behind the guessed entries are."""
    biaser = make_biaser(SCREEN)
    text = "Open and send these."
    (respelled, *_) = biaser.alternatives(text, NBEST_UNSURE)
    assert respelled.text == "Open Incendies." and not respelled.framed
    guesses = [
        a
        for a in biaser.framed_readings(
            text, NBEST_UNSURE, biaser.answer_readings(text, NBEST_UNSURE)
        )
        if a.whole_answer != "Incendies"
    ]
    assert guesses and all(a.framed for a in guesses)
    scored = [Scored(respelled, -1.0), *(Scored(a, -30.0) for a in guesses)]
    assert biaser.pick(scored) is None


DATA = "The one with your data."


def test_an_option_in_the_frame_wins_as_its_short_answer_would() -> None:
    """ "The one with Mahmoud." for "The one with your data.": an offered option, so the
    short answers' audio bar (7 nats), and it must lead the other option's readings."""
    biaser = make_biaser(SWAP_CONTEXT, BiasOptions(named_prior=1.0))
    readings = {
        a.text: a
        for a in biaser.framed_readings(
            DATA, NBEST_UNSURE, biaser.answer_readings(DATA, NBEST_UNSURE)
        )
    }
    mine, other = readings["The one with Mahmoud."], readings["The one with Lefebvre."]

    def picked(heard: float, rival_heard: float) -> Alternative | None:
        return biaser.pick([Scored(mine, -3.0, heard, 0.0), Scored(other, -6.0, rival_heard, 0.0)])

    assert picked(-5.0, -9.0) is mine
    assert picked(-5.0, -4.0) is None  # the audio prefers the other option
    assert picked(-7.5, -9.0) is None  # the audio refuses it
    off = make_biaser(SWAP_CONTEXT, BiasOptions(frame_entry_limit=None))
    assert off.framed_readings(DATA, NBEST_UNSURE, off.answer_readings(DATA, NBEST_UNSURE)) == []


FIRST = ["Meg", "Liam", "Siobhan", "Kenji", "Ingrid", "Thiago", "Amara", "Rhys"]
LAST = ["Okafor", "Bauer", "Jones", "Iwasaki", "Novak", "Dubois"]
CONTACTS = {"contacts": [f"{f} {s}" for f in FIRST for s in LAST]}
BOOK = DialogueContext.from_json({"turns": [], "catalogs": CONTACTS})


def test_a_large_catalog_is_searched_after_each_cut_not_read_entry_by_entry() -> None:
    biaser = make_biaser(BOOK)  # 48 entries: more than frame_entry_limit (30)
    text = "Call Luke to stare at me."
    assert biaser.framed_readings(text, NBEST_UNSURE, []) == []
    cuts = biaser.search_cuts(text, NBEST_UNSURE)
    assert [c.frame_text for c in cuts] == ["", "Call"]  # "Luke" is the first content word
    found = biaser.found_readings(cuts[1], ["Kenji Novak", "Liam Bauer"])
    assert [a.text for a in found] == ["Call Kenji Novak.", "Call Liam Bauer."]
    assert all(a.framed and a.short_answer and not a.stands_alone for a in found)
    assert found[0].whole_answer == "Kenji Novak" and found[0].heard == "luke to stare at me"
    # The same gates as small catalogs: a word of an entry, words heard for sure, a question
    # with options, or the search off.
    assert biaser.search_cuts("Call Liam, please.", NBEST_UNSURE) == []
    sure = decoded(("Stop.", -1.6), ("stop.", -1.7), ("Stop!", -2.5))
    assert biaser.search_cuts("Stop.", sure) == []
    assert biaser.search_cuts("Stop.", NBEST_UNSURE) != []
    assert make_biaser(BOOK, BiasOptions(frame_search_beam=0)).search_cuts(text, NBEST_UNSURE) == []
    assert make_biaser(SCREEN).search_cuts("Open and send these.", NBEST_UNSURE) == []
    asked = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"}],
            "catalogs": CONTACTS,
        }
    )
    assert make_biaser(asked).search_cuts(text, NBEST_UNSURE) == []


def test_a_searched_entry_may_also_win_by_a_clear_lead_on_both_scores() -> None:
    """Among thousands, the entry the decoder ranks first on the prompted gain plus half the
    audio's gain (its prior out), by 5 nats over every other found entry, wins even where a
    rival is ahead on one of the two; an entry alone must not lose by the audio at all."""
    biaser = make_biaser(BOOK)
    alone_cut, call = biaser.search_cuts("Call Luke to stare at me.", NBEST_UNSURE)
    mine, rival = biaser.found_readings(call, ["Kenji Novak", "Liam Bauer"])
    assert mine.searched and not mine.stands_alone

    def picked(judged: Alternative, gain: float, heard: float, rival_heard: float) -> object:
        return biaser.pick([Scored(judged, gain, heard, 0.0), Scored(rival, 0.5, rival_heard, 0.0)])

    # -1.5 + 2.8 / 2 = -0.1 against 0.5 - 12 / 2 = -5.5: a lead of 5.4, though the rival's
    # prompted gain is higher (the short answers' rule refuses it).
    assert picked(mine, -1.5, 2.8, -12.0) is mine
    assert picked(replace(mine, searched=False), -1.5, 2.8, -12.0) is None
    assert picked(mine, -1.5, 2.8, -11.0) is None  # a lead of 4.9
    assert picked(mine, -8.5, 20.0, -30.0) is None  # the prompt refuses it (search_lead_loss)
    assert picked(mine, -1.5, -7.5, -40.0) is None  # the audio refuses it
    (alone, _) = biaser.found_readings(alone_cut, ["Kenji Novak", "Liam Bauer"])
    assert alone.stands_alone
    assert picked(alone, -1.5, -0.5, -40.0) is None  # alone, and refused by the audio
    assert picked(alone, -1.5, 0.5, -40.0) is alone
    off = make_biaser(BOOK, BiasOptions(search_lead_margin=None))
    assert off.pick([Scored(mine, -1.5, 2.8, 0.0), Scored(rival, 0.5, -12.0, 0.0)]) is None


def test_searched_entries_are_heard_out_as_far_as_the_lead_rule_reaches() -> None:
    biaser = make_biaser(BOOK)
    text = "Call Luke to stare at me."
    _, call = biaser.search_cuts(text, NBEST_UNSURE)
    (found,) = biaser.found_readings(call, ["Kenji Novak"])
    (checks,) = biaser.audio_checks(text, [Scored(found, -7.0)])
    assert checks.plain and checks.prior  # within search_lead_loss (8)
    (checks,) = biaser.audio_checks(text, [Scored(replace(found, searched=False), -7.0)])
    assert not checks.plain and not checks.prior  # beyond short_answer_loss (5)
    (checks,) = biaser.audio_checks(text, [Scored(found, -8.5)])
    assert not checks.plain
