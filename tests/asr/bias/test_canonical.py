"""Step 4, canonicalisation: respelling toward the catalogs."""

from __future__ import annotations

from ctxasr.context import DialogueContext
from tests.asr.bias.common import (
    OPTIONS_CONTEXT,
    make_biaser,
)


def test_homophone_of_a_whole_entry_takes_the_catalog_spelling() -> None:
    text, matches = make_biaser().canonicalize("Alpha.")
    assert text == "Alfa."
    assert [(m.phrase, m.respelled_from, m.start, m.end) for m in matches] == [
        ("Alfa", "Alpha.", 0, 4)
    ]


def test_a_whole_entry_heard_in_other_case_takes_the_catalog_spelling() -> None:
    text, matches = make_biaser().canonicalize("call siobhan okafor, please")
    assert text == "call Siobhan Okafor, please"
    assert [(m.phrase, m.respelled_from) for m in matches] == [
        ("Siobhan Okafor", "siobhan okafor,")
    ]
    # A part may be an English word too: only its whole entry's spelling is the catalog's.
    assert make_biaser().canonicalize("rose, please")[0] == "rose, please"


def test_unknown_spelling_snaps_to_the_nearest_catalog_phrase() -> None:
    text, matches = make_biaser().canonicalize("Call Shavon Okafor please")
    assert text == "Call Siobhan Okafor please"
    (match,) = matches
    assert (match.catalog, match.phrase) == ("contacts", "Siobhan Okafor")
    assert text[match.start : match.end] == "Siobhan Okafor"
    assert 0.85 < match.score < 1.0


def test_words_shared_with_an_entry_do_not_make_the_rest_alike() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Ciaran Delacroix or Ciaran Raghunathan?"}],
            "catalogs": {"contacts": ["Ciaran Raghunathan", "Liam Raghunathan"]},
        }
    )
    # Whole, "one Raghunathan" is 0.85 like "Liam Raghunathan"; "one" alone is 0.47 "Liam".
    text, _ = make_biaser(context).canonicalize("But one, Raghunathan.")
    assert text == "But one, Raghunathan."
    # "Shavon" alone is still 0.84 "Siobhan" (see above).
    assert make_biaser().canonicalize("Shavon Okafor.")[0] == "Siobhan Okafor."


def test_a_respelling_never_drops_a_dictionary_word() -> None:
    # "Call Siobhan Okafor" sounds 0.8 like "Siobhan Okafor", but "Call" is a word, not part
    # of a misspelt name: the name stands on its own right after it.
    text, matches = make_biaser().canonicalize("Call Siobhan Okafor.")
    assert text == "Call Siobhan Okafor."
    assert [(m.phrase, m.respelled_from) for m in matches] == [("Siobhan Okafor", None)]


def test_real_words_are_not_respelled_into_other_sounding_entries() -> None:
    text, matches = make_biaser().canonicalize("Turn the power off.")
    assert text == "Turn the power off."
    assert matches == ()


def test_a_part_needs_the_dialogue_to_be_respelled() -> None:
    # "rose" is a homophone of the part "Rose" of "Rose Tyler", which nobody mentioned.
    text, _ = make_biaser().canonicalize("the rows of chairs")
    assert text == "the rows of chairs"


def test_exact_phrases_are_reported_with_their_span() -> None:
    text, matches = make_biaser().canonicalize("Yes, Meg Bauer.")
    assert text == "Yes, Meg Bauer."
    assert [(m.phrase, text[m.start : m.end], m.score) for m in matches] == [
        ("Meg Bauer", "Meg Bauer", 1.0)
    ]


def test_an_unknown_word_answering_the_question_takes_the_closest_offered_option() -> None:
    biaser = make_biaser(OPTIONS_CONTEXT)
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
    text, matches = make_biaser(amara).canonicalize("The one with Raghunathan.")
    assert text == "The one with Raghunathan."
    assert [(m.phrase, m.respelled_from) for m in matches] == [("Raghunathan", None)]


def test_offered_options_are_not_forced_outside_an_answer_or_onto_unlike_words() -> None:
    biaser = make_biaser(OPTIONS_CONTEXT)
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
    assert make_biaser(plain).canonicalize("The one with Gatmaris.")[1] == ()


def test_a_name_cmudict_lacks_is_matched_as_espeak_ng_says_it() -> None:
    # "Saoirse" is said "Seersha", and Whisper writes what it hears. Read by spelling rules
    # alone (S AE OY R S) it sounds like nothing Whisper would write.
    context = DialogueContext.from_json(
        {"turns": [], "catalogs": {"contacts": ["Saoirse Okafor", "Rose Tyler"]}}
    )
    text, matches = make_biaser(context).canonicalize("Message Sersha Okafor.")
    assert text == "Message Saoirse Okafor."
    assert [(m.phrase, m.respelled_from) for m in matches] == [("Saoirse Okafor", "Sersha Okafor.")]


HOMOPHONE_NAMES = DialogueContext.from_json(
    {
        "turns": [{"role": "assistant", "text": "Who should I send it to?"}],
        "catalogs": {"contacts": ["Will Wright", "Grace Moore"], "phonetic": ["Alfa", "Bravo"]},
    }
)


def test_words_that_are_an_entry_s_homophone_take_its_spelling_only_where_asked_for() -> None:
    biaser = make_biaser(HOMOPHONE_NAMES)
    assert (
        biaser.canonicalize("I will write to you tomorrow.")[0] == "I will write to you tomorrow."
    )
    assert biaser.canonicalize("Message will write.")[0] == "Message Will Wright."
    assert biaser.canonicalize("Alpha, Bravo.")[0] == "Alfa, Bravo."


def test_a_part_is_reported_only_where_an_entry_is_asked_for() -> None:
    biaser = make_biaser(HOMOPHONE_NAMES)
    text, matches = biaser.canonicalize("Send it to Grace, please.")
    assert [m.phrase for m in matches] == ["Grace"]
    text, matches = biaser.canonicalize("I need more grace in my life.")
    assert text == "I need more grace in my life." and matches == ()


def test_a_number_whisper_writes_in_digits_takes_the_catalog_s_words_where_asked_for() -> None:
    titles = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Here are a few movies on your screen."}],
            "catalogs": {"screen": ["Ocean's Eleven", "Nineteen Eighty-Four", "Apollo 13"]},
        }
    )
    biaser = make_biaser(titles)
    assert biaser.canonicalize("Play Ocean's 11.")[0] == "Play Ocean's Eleven."
    assert biaser.canonicalize("Play 1984, please.")[0] == "Play Nineteen Eighty-Four, please."
    assert biaser.canonicalize("Play Apollo thirteen.")[0] == "Play Apollo 13."
    # A number said in a sentence about something else stays as written.
    assert biaser.canonicalize("I was born in 1984.")[0] == "I was born in 1984."


def test_a_name_heard_without_its_accents_takes_the_catalog_s_spelling() -> None:
    # Read letter by letter up to each accent, "José" was "jos" and "Amélie" "am lie".
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Who should I call?"}],
            "catalogs": {
                "contacts": ["José García", "Siobhan O\u2019Sullivan", "Zoë Müller"],
                "screen": ["Amélie"],
            },
        }
    )
    biaser = make_biaser(context)
    assert biaser.canonicalize("Call Jose Garcia.")[0] == "Call José García."
    assert biaser.canonicalize("Message Zoe Muller.")[0] == "Message Zoë Müller."
    assert biaser.canonicalize("Play Amelie.")[0] == "Play Amélie."
    # A typographic apostrophe in the catalog is the catalog's spelling too.
    assert biaser.canonicalize("Call Siobhan O'Sullivan.")[0] == "Call Siobhan O\u2019Sullivan."


def test_signs_in_an_entry_are_read_as_the_words_said_for_them() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "I found Barnes & Noble and H&M."}],
            "catalogs": {"places": ["Barnes & Noble", "H&M"], "screen": ["Disney+"]},
        }
    )
    biaser = make_biaser(context)
    assert biaser.canonicalize("Take me to Barnes and Noble.")[0] == "Take me to Barnes & Noble."
    assert biaser.canonicalize("Directions to H and M.")[0] == "Directions to H&M."
    assert biaser.canonicalize("Open Disney Plus.")[0] == "Open Disney+."
    assert biaser.canonicalize("I went there and back.")[0] == "I went there and back."


def test_a_surname_s_homophone_is_an_answer_beside_hedges_too() -> None:
    biaser = make_biaser()  # after "Do you mean Meg Jones or Meg Bauer?"
    assert biaser.canonicalize("Bower, I think.")[0] == "Bauer, I think."
    assert biaser.canonicalize("Definitely bower.")[0] == "Definitely Bauer."
    assert biaser.canonicalize("Bower, not Jones.")[0] == "Bauer, not Jones."
    assert biaser.canonicalize("I think the power is out.")[0] == "I think the power is out."
