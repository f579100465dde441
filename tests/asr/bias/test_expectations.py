"""What the assistant's last turn makes an expected answer."""

from __future__ import annotations

from typing import Any

from ctxasr.asr.bias import BiasOptions
from ctxasr.asr.bias.expectations import Expectations
from ctxasr.context import DialogueContext
from tests.asr.bias.common import make_biaser


def _expect(context: dict[str, Any] | None = None) -> Expectations:
    """The expectations of ``context`` (JSON), by default after "Meg Jones or Meg Bauer?"."""
    biaser = make_biaser(DialogueContext.from_json(context)) if context else make_biaser()
    return Expectations(biaser.plan, BiasOptions())


def test_the_options_just_named_are_offered_and_expected() -> None:
    expect = _expect()
    assert {p.entry for p in expect.offered} == {"Meg Jones", "Meg Bauer"}
    assert [sorted(e) for e in expect.offered_entries] == [["jones", "meg"], ["bauer", "meg"]]
    okafor = expect.plan.index.exact("siobhan okafor")
    bauer = expect.plan.index.exact("meg bauer")
    assert expect.named(*bauer) and not expect.named(*okafor)


def test_options_named_by_the_words_that_tell_them_apart_are_offered() -> None:
    turns = [
        {"role": "user", "text": "Call Meg."},
        {"role": "assistant", "text": "Which Meg, Jones or Bauer?"},
    ]
    expect = _expect(
        {"turns": turns, "catalogs": {"contacts": ["Meg Jones", "Meg Bauer", "Liam Okafor"]}}
    )
    assert expect.asks_options
    assert expect.offered_options == ("Meg Jones", "Meg Bauer")
    assert expect.telling_words("Meg Bauer") == ["bauer"]


def test_a_short_answer_stands_among_fillers() -> None:
    expect = _expect()
    assert expect.is_answer(["bauer", "please"], (0, 1))
    assert expect.is_answer(["the", "one", "with", "bauer"], (3, 4))
    # Between fillers too, however Whisper writes "one".
    assert expect.is_answer(["the", "bauer", "one"], (1, 2))
    assert expect.is_answer(["the", "bauer", "1", "please"], (1, 2))
    assert not expect.is_answer(["turn", "the", "bauer", "off"], (2, 3))
    assert not expect.is_answer(["the", "bauer", "one", "that", "is", "it"], (1, 2))  # too long
    # Hesitations as Whisper writes them are fillers too ("Mm, the Bauer one.", piper).
    assert expect.is_answer(["mm", "the", "bauer"], (2, 3))
    assert expect.is_answer(["hey", "bauer"], (1, 2))


def test_hedges_and_an_option_turned_down_stand_around_a_short_answer() -> None:
    expect = _expect()  # after "Meg Jones or Meg Bauer?"
    assert expect.is_answer(["bauer", "i", "think"], (0, 1))
    assert expect.is_answer(["definitely", "bauer"], (1, 2))
    assert expect.is_answer(["the", "second", "one", "bauer"], (3, 4))
    assert expect.is_answer(["bauer", "not", "jones"], (0, 1))
    assert expect.is_answer(["not", "jones", "bauer"], (2, 3))
    # "No, Jones." gives Jones: "no" turns nothing down. Nor is a word of no option.
    assert not expect.is_answer(["no", "jones", "bauer"], (2, 3))
    assert not expect.is_answer(["bauer", "not", "power"], (0, 1))
    assert not expect.is_answer(["bauer", "i", "think", "it's", "broken"], (0, 1))


def test_a_part_every_option_shares_answers_nothing() -> None:
    expect = _expect()
    assert expect.answers_nothing("meg") and not expect.answers_nothing("bauer")
    assert expect.answers("bauer", ["bauer"], (0, 1))
    assert not expect.answers("meg", ["meg"], (0, 1))


def test_whole_entries_are_welcome_anywhere_and_parts_only_as_answers() -> None:
    expect = _expect()
    sentence = ["call", "siobhan", "okafor", "now"]
    assert expect.welcome("siobhan okafor", sentence, (1, 3))
    assert not expect.welcome("bauer", ["turn", "the", "bauer", "off"], (2, 3))
    assert expect.welcome("bauer", ["bauer", "please"], (0, 1))
    assert not expect.welcome("okafor", ["okafor"], (0, 1))  # a part nobody mentioned


def test_the_words_that_tell_the_options_apart() -> None:
    expect = _expect()
    assert expect.telling_words("Meg Bauer") == ["bauer"]
    assert expect.telling_words("Siobhan Okafor") == ["siobhan", "okafor"]  # shares nothing
    lone = make_biaser(
        DialogueContext.from_json(
            {
                "turns": [{"role": "assistant", "text": "Do you mean Meg Bauer?"}],
                "catalogs": {"contacts": ["Meg Bauer", "Meg Jones"]},
            }
        )
    )
    # One option named: nothing to tell apart, so every word counts.
    assert Expectations(lone.plan, BiasOptions()).telling_words("Meg Bauer") == ["meg", "bauer"]


def test_a_part_of_an_offered_entry_is_offered_whichever_entry_the_index_met_first() -> None:
    context = DialogueContext.from_json(
        {
            "turns": [{"role": "assistant", "text": "Which Esi: Esi Bergstrom or Esi Novak?"}],
            "catalogs": {"contacts": ["Dmitri Novak", "Esi Bergstrom", "Esi Novak"]},
        }
    )
    expect = Expectations(make_biaser(context).plan, BiasOptions())
    (novak,) = expect.plan.index.exact("novak")
    assert novak.entry == "Dmitri Novak"  # the first entry that holds it
    assert novak in expect.offered and expect.option(novak) == "Esi Novak"
    assert sorted(sorted(e) for e in expect.offered_entries) == [
        ["bergstrom", "esi"],
        ["esi", "novak"],
    ]


def test_an_entry_is_asked_for_after_a_request_or_among_frame_and_catalog_words() -> None:
    expect = _expect()
    assert expect.asked_for(["meg", "bauer"], (0, 2))
    assert expect.asked_for(["message", "meg", "bauer", "about", "dinner"], (1, 3))
    assert expect.asked_for(["can", "you", "call", "meg", "bauer"], (3, 5))
    assert expect.asked_for(["the", "meg", "bauer", "one", "please"], (1, 3))
    assert expect.asked_for(["meg", "bauer", "and", "siobhan"], (0, 2))  # a catalog word
    # An imperative the frame words do not list ("remind", "invite") asks for one too.
    assert expect.asked_for(["remind", "meg", "bauer", "about", "lunch"], (1, 3))
    assert expect.asked_for(["invite", "meg", "bauer", "to", "dinner"], (1, 3))
    # Words of a sentence about something else around it: no entry is asked for.
    assert not expect.asked_for(["i", "will", "write", "to", "you", "tomorrow"], (1, 3))
    assert not expect.asked_for(["the", "rose", "knight", "looks", "lovely"], (1, 3))
    assert not expect.asked_for(["she", "married", "meg", "bauer"], (2, 4))
    assert not expect.asked_for(["i", "will", "write", "it", "down"], (1, 3))
    assert not expect.asked_for(["i", "will", "write"], (1, 3))  # a subject: a clause


def test_a_part_of_several_words_is_welcome_in_a_sentence() -> None:
    expect = _expect(
        {
            "turns": [{"role": "assistant", "text": "What's the note?"}],
            "catalogs": {"places": ["Oral Roberts University", "Blue Bottle Coffee"]},
        }
    )
    said = ["rallying", "supporters", "at", "oral", "roberts"]
    assert expect.welcome("oral roberts", said, (3, 5))
    # One word of an entry the dialogue never mentioned is a word of many a sentence.
    assert not expect.welcome("roberts", said, (4, 5))


def test_a_part_of_several_words_every_option_shares_is_not_welcome() -> None:
    expect = _expect(
        {
            "turns": [{"role": "assistant", "text": "Mary Anne Jones or Mary Anne Bauer?"}],
            "catalogs": {"contacts": ["Mary Anne Jones", "Mary Anne Bauer"]},
        }
    )
    assert not expect.welcome("mary anne", ["call", "mary", "anne"], (1, 3))
    assert expect.welcome("anne bauer", ["call", "anne", "bauer"], (1, 3))


def test_an_option_given_as_a_short_answer_is_an_answer() -> None:
    expect = _expect()  # after "Meg Jones or Meg Bauer?"
    assert expect.answer_positions(["bauer", "please"]) == {0}
    assert expect.answer_positions(["the", "one", "with", "jones"]) == {3}
    # A word every option shares, a sentence, or words only like an option answer nothing.
    assert not expect.answer_positions(["meg", "please"])
    assert not expect.answer_positions(["turn", "the", "bauer", "off"])
    assert not expect.answer_positions(["power", "please"])
