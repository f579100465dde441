"""Builders of AVS envelopes for tests."""

from __future__ import annotations

from typing import Any

from ctxasr.events import DialogueEvent, make_envelope, parse_envelope


def envelope(name: str, interaction: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return make_envelope(name, interaction, payload or {})


def recognize(interaction: str, text: str | None = None) -> DialogueEvent:
    payload = {} if text is None else {"text": text}
    return parse_envelope(envelope("SpeechRecognizer.Recognize", interaction, payload))


def speak(interaction: str, text: str, duration_ms: int | None = 2000) -> DialogueEvent:
    payload: dict[str, Any] = {"text": text}
    if duration_ms is not None:
        payload["durationInMilliseconds"] = duration_ms
    return parse_envelope(envelope("SpeechSynthesizer.Speak", interaction, payload))


def expect_speech(interaction: str, timeout_ms: int = 8000) -> DialogueEvent:
    payload = {"timeoutInMilliseconds": timeout_ms}
    return parse_envelope(envelope("SpeechRecognizer.ExpectSpeech", interaction, payload))


def catalog(interaction: str, name: str, entries: list[str]) -> DialogueEvent:
    payload = {"catalog": name, "entries": entries}
    return parse_envelope(envelope("Context.Catalog", interaction, payload))


def passive(interaction: str, name: str = "SpeechSynthesizer.SpeechStarted") -> DialogueEvent:
    return parse_envelope(envelope(name, interaction))
