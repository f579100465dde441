"""The follow-up trigger: a pure function of the status entry returned by an append.

The microphone re-opening (ExpectSpeech) right after the assistant spoke (Speak) is the only
moment worth building a context: the reply's playback hides the computation. Everything else is
left to expire, undecrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ctxasr.events import CONTEXT_CATALOG, EXPECT_SPEECH, RECOGNIZE, SPEAK
from ctxasr.store.model import EventRecord, StatusEntry


class Action(StrEnum):
    IGNORE = "ignore"  # let the data expire
    BUILD = "build"  # build (or rebuild) the context now


@dataclass(frozen=True)
class TriggerDecision:
    action: Action
    reason: str
    # When the assistant's reply finishes playing: the context should be ready by then.
    deadline_ms: int | None = None

    @property
    def build(self) -> bool:
        return self.action is Action.BUILD


def decide(status: StatusEntry) -> TriggerDecision:
    """Decide from the freshly returned status whether to build the context now."""
    if not status.events:
        return TriggerDecision(Action.IGNORE, "no events")
    latest = status.events[-1]
    opener = _open_expect_speech(status.events)
    if opener is None:
        return TriggerDecision(Action.IGNORE, "microphone not re-opened after a reply")
    expect_index, speak = opener
    deadline_ms = speak.at_ms + (speak.arg_ms or 0)
    if expect_index == len(status.events) - 1:
        return TriggerDecision(Action.BUILD, "microphone re-opened after a reply", deadline_ms)
    if latest.name == CONTEXT_CATALOG:
        return TriggerDecision(Action.BUILD, "context signal while microphone open", deadline_ms)
    return TriggerDecision(Action.IGNORE, "context already built for this re-opening")


def _open_expect_speech(events: tuple[EventRecord, ...]) -> tuple[int, EventRecord] | None:
    """The latest ExpectSpeech that follows a Speak of the current turn, with that Speak."""
    speak: EventRecord | None = None
    found: tuple[int, EventRecord] | None = None
    for index, event in enumerate(events):
        if event.name == RECOGNIZE:  # a new user turn closes the previous opening
            speak, found = None, None
        elif event.name == SPEAK:
            speak, found = event, None
        elif event.name == EXPECT_SPEECH and speak is not None:
            found = (index, speak)
    return found
