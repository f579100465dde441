"""Step 1 on hand-made decodings: silence, echo and growth filters, rescoring."""

from __future__ import annotations

from ctxasr.asr.bias import (
    BiasOptions,
    is_clear_speech,
    is_silence,
)
from ctxasr.asr.engine import Hypothesis
from tests.asr.bias.common import (
    decoded,
    make_biaser,
)


def test_context_bonus_reorders_close_hypotheses() -> None:
    biased = decoded(("Bower.", -0.30), ("Bauer.", -0.35))
    chosen = make_biaser().choose(biased, Hypothesis("Power.", -0.4))
    assert chosen is not None and chosen.text == "Bauer."


def test_prompt_echo_is_rejected() -> None:
    biased = decoded(("Do you mean Meg Bauer?", -0.1), ("Power.", -0.6))
    chosen = make_biaser().choose(biased, Hypothesis("Power.", -0.5))
    assert chosen is not None and chosen.text == "Power."


def test_hypotheses_that_grow_far_beyond_the_audio_are_rejected() -> None:
    biased = decoded(("Meg Jones, Meg Bauer, Siobhan Okafor.", -0.1))
    assert make_biaser().choose(biased, Hypothesis("Yes.", -0.3)) is None


def test_repeating_an_offered_option_is_not_echo() -> None:
    biased = decoded(("Yes, Meg Bauer please.", -0.1))
    chosen = make_biaser().choose(biased, Hypothesis("Yes, may power please.", -0.5))
    assert chosen is not None


def test_silence_rule() -> None:
    options = BiasOptions()
    assert is_silence(decoded(("", -0.1)), options)
    assert is_silence(decoded(("Thank you.", -1.5), no_speech=0.9), options)
    assert not is_silence(decoded(("Bauer.", -0.2), no_speech=0.9), options)
    # Clear speech needs both signs: a low no-speech probability and a confident reading.
    assert is_clear_speech(decoded(("Bauer.", -0.2), no_speech=0.4), options)
    assert not is_clear_speech(decoded(("Bauer.", -0.2), no_speech=0.9), options)
    assert not is_clear_speech(decoded(("Bauer.", -1.5), no_speech=0.4), options)
    assert not is_clear_speech(decoded(("...", -0.2), no_speech=0.4), options)
