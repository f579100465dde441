"""The answer check: a question's options stay out of utterances about something else."""

from __future__ import annotations

import pytest

from ctxasr.asr.bias import BiasOptions
from ctxasr.context import DialogueContext
from ctxasr.errors import ConfigError
from tests.asr.bias.common import decoded, make_biaser

QUESTION = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Call Niamh."},
            {"role": "assistant", "text": "Which Niamh: Niamh Chukwu or Niamh Wright?"},
        ],
        "catalogs": {"contacts": ["Niamh Chukwu", "Niamh Wright", "Rose Tyler"]},
    }
)
LISTING = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Find a gas station."},
            {"role": "assistant", "text": "I found Arco, Shell and Valero."},
        ],
        "catalogs": {"places": ["Arco", "Shell", "Valero"]},
    }
)


@pytest.mark.parametrize(
    "text",
    [
        "Niamh Wright.",
        "Wright, please.",
        "The one with Wright.",
        "Call Niamh Wright, please.",
        "I meant the second one, Niamh Wright.",
        "Calling Niamh Wright.",  # a request word's inflection
    ],
)
def test_replies_to_the_question_keep_its_option(text: str) -> None:
    assert make_biaser(QUESTION).answer_check.unexplained(text, "Nee of right.") == []


def test_an_option_inside_an_unrelated_question_gives_way() -> None:
    biaser = make_biaser(QUESTION)
    text = "Show Niamh Wright after the light."
    assert biaser.answer_check.unexplained(text, "Should I turn right at the light?") == ["light"]


def test_the_check_only_concerns_options_the_context_added() -> None:
    biaser = make_biaser(QUESTION)
    text = "Tell Niamh Wright the lights are on."
    # The unbiased pass heard the option itself: the context did not put it there.
    assert biaser.answer_check.unexplained(text, "Tell Niamh Wright the lights are on.") == []
    # An entry nobody offered explains no words: its own rule judges it (``objection``).
    assert (
        biaser.answer_check.unexplained(
            "Rose Tyler lights the lamp.", "Rows tiler lights the lamp."
        )
        == []
    )


def test_words_of_the_dialogue_explain_themselves() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Ring the mobile of Niamh."},
                {"role": "assistant", "text": "Which Niamh: Niamh Chukwu or Niamh Wright?"},
            ],
            "catalogs": {"contacts": ["Niamh Chukwu", "Niamh Wright"]},
        }
    )
    assert (
        make_biaser(context).answer_check.unexplained(
            "Mobile of Niamh Wright.", "Mobile of nee right."
        )
        == []
    )


def test_a_listing_is_no_question() -> None:
    # Replies to a listing are requests of their own, often with garbled words.
    biaser = make_biaser(LISTING)
    assert biaser.answer_check.unexplained("Reactions to Shell.", "Reactions to hell.") == []


def test_the_check_can_allow_more_words_or_be_turned_off() -> None:
    text, unbiased = "Show Niamh Wright after the light.", "Show my turn right after the light."
    assert (
        make_biaser(QUESTION, BiasOptions(max_unexplained_words=1)).answer_check.unexplained(
            text, unbiased
        )
        == []
    )
    assert (
        make_biaser(QUESTION, BiasOptions(max_unexplained_words=None)).answer_check.unexplained(
            text, unbiased
        )
        == []
    )
    assert make_biaser(QUESTION).answer_check.unexplained(
        "Niamh Wright, stronger iron.", unbiased
    ) == [
        "stronger",
        "iron",
    ]


def test_an_option_that_sounds_less_like_the_words_than_another_gives_way() -> None:
    # "Turn right." is far more like "Wright" (1.0) than "Chukwu" (0.2): the
    # prompt, not the audio, named the latter.
    biaser = make_biaser(QUESTION)
    assert biaser.objection("Niamh Chukwu.", "Turn right.") == (
        "the words sound more like another option (Niamh Wright)"
    )
    assert biaser.objection("Niamh Chukwu.", "Neve chew koo.") is None
    assert biaser.objection("Niamh Wright.", "Nee of right.") is None
    # Whichever part names it: "Chukwu" is Niamh Chukwu, "Niamh" names neither option.
    assert biaser.objection("Chukwu, please.", "Turn right, please.") is not None
    assert biaser.objection("Niamh, please.", "Turn right, please.") is None


def test_options_are_compared_by_the_words_that_tell_them_apart() -> None:
    # Whole, the entries are about as unlike "Turn the power off." (0.39 and 0.45): the
    # "Grainne" they share hides that the words sound like "Bauer" and nothing like
    # "Papadopoulos".
    context = DialogueContext.from_json(
        {
            "turns": [
                {"role": "assistant", "text": "Do you mean Grainne Papadopoulos or Grainne Bauer?"}
            ],
            "catalogs": {"contacts": ["Grainne Papadopoulos", "Grainne Bauer"]},
        }
    )
    biaser = make_biaser(context)
    assert biaser.objection("Grainne Papadopoulos.", "Turn the power off.") == (
        "the words sound more like another option (Grainne Bauer)"
    )
    assert biaser.objection("Grainne Papadopoulos.", "Grainy papa the police.") is None


def test_the_rival_option_rule_has_a_margin_and_can_be_turned_off() -> None:
    text, unbiased = "Niamh Chukwu.", "Turn right."
    assert (
        make_biaser(QUESTION, BiasOptions(rival_option_margin=0.9)).objection(text, unbiased)
        is None
    )
    assert (
        make_biaser(QUESTION, BiasOptions(rival_option_margin=None)).objection(text, unbiased)
        is None
    )
    with pytest.raises(ConfigError, match="rival_option_margin"):
        BiasOptions(rival_option_margin=1.5)


def test_a_word_of_another_catalog_s_entry_explains_nothing() -> None:
    # The home's devices beside the contacts: "light" is a word of "Study Ceiling Light", not
    # the device; the whole device, or a part of an option, still stands in a reply.
    home = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Niamh: Niamh Chukwu or Niamh Wright?"}],
            "catalogs": {
                "contacts": ["Niamh Chukwu", "Niamh Wright", "Rose Tyler"],
                "devices": ["Study Ceiling Light", "Porch Sconce"],
            },
        }
    )
    check = make_biaser(home).answer_check
    heard = "Should I turn right at the light?"
    assert check.unexplained("Show Niamh Wright after the light.", heard) == ["light"]
    assert check.unexplained("Wright, and the Study Ceiling Light.", heard) == []
    assert check.unexplained("The one with Wright.", heard) == []


def test_words_about_something_else_are_named_in_the_objection() -> None:
    biaser = make_biaser(QUESTION)
    assert biaser.objection("Show Niamh Wright after the light.", "Should I turn right?") == (
        "no reply to the question (light)"
    )
    # A listing asks nothing: no objection of either kind.
    assert make_biaser(LISTING).objection("Arco.", "Shell.") is None


def test_a_reply_names_no_entry_of_the_options_catalogs_that_was_not_offered() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Call Niamh."},
                {"role": "assistant", "text": "Which Niamh: Niamh Chukwu or Niamh Wright?"},
            ],
            "catalogs": {
                "contacts": ["Niamh Chukwu", "Niamh Wright", "Rose Tyler"],
                "devices": ["Porch Light"],
            },
        }
    )
    biaser = make_biaser(context)
    assert biaser.objection("Show me Rose Tyler.", "Show me rose tiles.") == (
        "names an entry the question did not offer (Rose Tyler)"
    )
    # Nor a part of one given as the answer ("Anika please." for "and begin please.", val13).
    assert biaser.objection("Rose, please.", "Rows, please.") == (
        "names an entry the question did not offer (Rose Tyler)"
    )
    assert biaser.objection("Tell Rose I am late.", "Tell rows I am late.") is None
    # Heard without the context: the prompt did not put it there.
    assert biaser.objection("Call Rose Tyler.", "Call Rose Tyler.") is None
    assert biaser.objection("Rose, please.", "Rose, please.") is None
    # The options themselves, and the entries of another catalog, are not concerned.
    assert biaser.objection("Niamh Wright.", "Nee of right.") is None
    assert biaser.objection("Turn on the Porch Light.", "Turn on the Porsche light.") is None
    # A listing asks nothing; the rule can be turned off.
    assert make_biaser(LISTING).objection("Shell.", "Sell.") is None
    off = make_biaser(context, BiasOptions(only_offered_entries=False))
    assert off.objection("Show me Rose Tyler.", "Show me rose tiles.") is None


LINH = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Send a message to Linh."},
            {"role": "assistant", "text": "Which Linh: Linh O'Sullivan or Linh Mahmoud?"},
        ],
        "catalogs": {"contacts": ["Linh O'Sullivan", "Linh Mahmoud", "Kenji Yamamoto"]},
    }
)


def test_a_short_answer_takes_the_option_it_sounds_clearly_like() -> None:
    # "that mood" is 0.67 like "Mahmoud" and 0.30 like "O'Sullivan": a choice among two.
    choice = make_biaser(LINH).choice("That mood, please.")
    assert choice is not None
    assert (choice.text, choice.option, choice.heard) == (
        "Mahmoud, please.",
        "Linh Mahmoud",
        "that mood",
    )
    # The catalog's spelling of the words that tell the option apart; a filler at the edge
    # is part of the answer when it sounds like it ("oh" of "O'Sullivan").
    spelled = make_biaser(LINH).choice("Oh, solar van.")
    assert spelled is not None and spelled.text == "O'Sullivan."


def test_no_choice_where_the_answer_is_not_one() -> None:
    biaser = make_biaser(LINH)
    # A request, not an answer; an option named already; words like no option clearly
    # ("never mind" is 0.51 like "Mahmoud", under the bar of 0.6).
    assert biaser.choice("Play that mood, please.") is None
    assert biaser.choice("Linh Mahmoud, please.") is None
    assert biaser.choice("Never mind.") is None
    # A listing asks nothing.
    assert make_biaser(LISTING).choice("Shall.") is None


def test_the_choice_has_the_offered_options_bar() -> None:
    strict = BiasOptions(offered_respell_similarity=0.7)
    assert make_biaser(LINH, strict).choice("That mood, please.") is None
    wide = BiasOptions(offered_respell_margin=0.5)
    assert make_biaser(LINH, wide).choice("That mood, please.") is None


SENTENCE = "Now let's take a look at this."
UNSURE = decoded((SENTENCE, -0.8), ("Now let's go and look.", -0.9))


def test_a_text_naming_no_option_is_also_read_as_each_option_whole() -> None:
    """Whisper writes "Now let's take a look at this." for a one-word "Mahmoud.": each option,
    as the entry and as the words that tell it apart, is a reading for the decoder to judge."""
    readings = make_biaser(LINH).answer_readings(SENTENCE, UNSURE)
    assert {a.text: (a.whole_answer, a.short_answer) for a in readings} == {
        "Linh O'Sullivan.": ("Linh O'Sullivan", False),
        "O'Sullivan.": ("Linh O'Sullivan", True),
        "Linh Mahmoud.": ("Linh Mahmoud", False),
        "Mahmoud.": ("Linh Mahmoud", True),
    }
    assert all(a.named and a.plain_checked for a in readings)
    assert {a.heard for a in readings} == {"now let's take a look at this"}


def test_no_whole_readings_where_the_text_answers_or_nothing_was_asked() -> None:
    linh = make_biaser(LINH)
    assert linh.answer_readings("The one with Mahmoud.", UNSURE) == []  # it names an option
    assert linh.answer_readings("", UNSURE) == []
    assert make_biaser(LISTING).answer_readings("Now let's go.", UNSURE) == []  # no question
    off = BiasOptions(whole_answer_margin=None, short_answer_loss=None)
    assert make_biaser(LINH, off).answer_readings(SENTENCE, UNSURE) == []
    # Either rule alone still reads the options whole; short answers only with their own.
    only_short = make_biaser(LINH, BiasOptions(whole_answer_margin=None))
    assert len(only_short.answer_readings(SENTENCE, UNSURE)) == 4
    no_short = make_biaser(LINH, BiasOptions(short_answer_loss=None))
    assert not any(a.short_answer for a in no_short.answer_readings(SENTENCE, UNSURE))


def test_no_short_answer_over_words_heard_for_sure_or_sounding_like_the_option() -> None:
    """ "Stop." throughout the n-best is a reply of its own; "the car." after "Thiago Schmidt
    or Thiago Carr?" names Carr by sound, which is the answer choice's to judge."""
    linh = make_biaser(LINH)
    sure = decoded(("Stop.", -1.6), ("stop.", -1.7), ("dot.", -2.3), ("Stop!", -2.5), ("Stop", -3))
    assert not any(a.short_answer for a in linh.answer_readings("Stop.", sure))
    # Answer fillers say nothing either way: "Please." alone may still be a short answer.
    please = decoded(("Please.", -1.9), ("please.", -2.2), ("Please!", -2.7))
    assert any(a.short_answer for a in linh.answer_readings("Please.", please))
    carr = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Thiago Schmidt or Thiago Carr?"}],
            "catalogs": {"contacts": ["Thiago Schmidt", "Thiago Carr"]},
        }
    )
    unsure_car = decoded(("the car.", -1.6), ("the card.", -1.7), ("a cart.", -1.9))
    shorts = {
        a.text for a in make_biaser(carr).answer_readings("the car.", unsure_car) if a.short_answer
    }
    assert shorts == {"Schmidt."}


def test_words_the_recogniser_was_sure_of_are_still_a_choice() -> None:
    """A formant voice's "Nakamura." came out "Not on Europe." throughout its n-best: sure
    English words, and still 0.65 like one option and nothing like the other."""
    esi = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Do you mean Esi Nakamura or Esi Tran?"}],
            "catalogs": {"contacts": ["Esi Nakamura", "Esi Tran"]},
        }
    )
    choice = make_biaser(esi).choice("Not on Europe.")
    assert choice is not None and choice.text == "Nakamura."
