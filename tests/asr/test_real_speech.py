"""End to end on real recorded speech (tests/asr/data/real, see its NOTICE.md): the synthetic
sets never hold a human voice, and the hidden ones do."""

from __future__ import annotations

from pathlib import Path

from ctxasr.asr import Recognizer
from ctxasr.context import DialogueContext
from ctxasr.text import words

REAL = Path(__file__).parent / "data" / "real"
CARDS = DialogueContext.from_json(
    {
        "turns": [
            {"role": "user", "text": "Let's play a card game."},
            {"role": "assistant", "text": "Sure. Which card do you play?"},
        ],
        "catalogs": {
            "cards": [
                f"{rank} of {suit}"
                for suit in ("Clubs", "Diamonds", "Hearts", "Spades")
                for rank in (
                    "Ace",
                    "Two",
                    "Three",
                    "Four",
                    "Five",
                    "Six",
                    "Seven",
                    "Eight",
                    "Nine",
                    "Ten",
                    "Jack",
                    "Queen",
                    "King",
                )
            ]
        },
    }
)


def test_a_card_misheard_by_plain_whisper_takes_the_catalog_s_spelling(
    recognizer: Recognizer,
) -> None:
    result = recognizer.recognize(REAL / "cards_four_queen_of_clubs.wav", CARDS)
    assert "clothes" in words(result.unbiased_text or "")  # plain Whisper: "Queen of Clothes"
    assert words(result.text)[-3:] == ["queen", "of", "clubs"]


def test_two_numbers_are_no_part_of_a_card(recognizer: Recognizer) -> None:
    # "five five" was read "Five of" (a part ending in "of"), then "Five" (one "5" dropped).
    result = recognizer.recognize(REAL / "cards_five_five.wav", CARDS)
    assert len(words(result.text)) == 2
    assert result.entities == ()


def test_words_sounding_like_an_offered_entry_keep_their_spelling_mid_sentence(
    recognizer: Recognizer,
) -> None:
    # A playlist "Still Moore" offered by the question; the reader says "still more".
    context = DialogueContext.from_json(
        {
            "turns": [
                {"role": "user", "text": "Play something."},
                {"role": "assistant", "text": "Which playlist: Amiable Women or Still Moore?"},
            ],
            "catalogs": {"playlists": ["Amiable Women", "Still Moore", "Respect"]},
        }
    )
    result = recognizer.recognize(REAL / "austen_0920.wav", context)
    assert "still more respectable" in " ".join(words(result.text))
    assert result.entities == ()  # nor "Amiable", a part of "Amiable Women"
