"""The follow-up trigger's decision table."""

from __future__ import annotations

import pytest

from ctxasr.store import Action, EventRecord, StatusEntry, decide

R, S, E, C = (
    "SpeechRecognizer.Recognize",
    "SpeechSynthesizer.Speak",
    "SpeechRecognizer.ExpectSpeech",
    "Context.Catalog",
)
P = "SpeechSynthesizer.SpeechStarted"


def _status(*names: str) -> StatusEntry:
    events = tuple(
        EventRecord(1000 * i, name, arg_ms=1500 if name == S else None)
        for i, name in enumerate(names)
    )
    return StatusEntry("t", "dr", "d", 0, 10**9, events)


@pytest.mark.parametrize(
    ("names", "action"),
    [
        ((), Action.IGNORE),
        ((R,), Action.IGNORE),
        ((R, S), Action.IGNORE),
        ((R, C), Action.IGNORE),
        ((R, S, E), Action.BUILD),
        ((R, C, S, E), Action.BUILD),
        ((R, E), Action.IGNORE),  # the microphone re-opened without a reply: no window
        ((R, E, S), Action.IGNORE),  # ExpectSpeech before the reply
        ((R, S, E, C), Action.BUILD),  # a new signal while the microphone is open
        ((R, S, E, P), Action.IGNORE),  # already built for this opening
        ((R, S, E, R), Action.IGNORE),  # the user spoke: the opening is closed
        ((R, S, E, R, C), Action.IGNORE),
        ((R, S, E, S), Action.IGNORE),  # a second reply: wait for its ExpectSpeech
        ((R, S, E, S, E), Action.BUILD),
    ],
)
def test_decision_table(names: tuple[str, ...], action: Action) -> None:
    assert decide(_status(*names)).action is action


def test_deadline_is_end_of_reply_playback() -> None:
    decision = decide(_status(R, S, E))
    assert decision.build
    assert decision.deadline_ms == 1000 + 1500
