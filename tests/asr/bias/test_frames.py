"""The words that frame an option: function words and request verbs with their inflections."""

from __future__ import annotations

import pytest

from ctxasr.asr.bias.frames import frame_word


@pytest.mark.parametrize("word", ["me", "to", "the", "let's", "take", "play", "calling", "turned"])
def test_function_and_request_words_frame_an_option(word: str) -> None:
    assert frame_word(word)


@pytest.mark.parametrize("word", ["light", "hats", "iron", "weather", "playground", "s"])
def test_content_words_do_not(word: str) -> None:
    assert not frame_word(word)
