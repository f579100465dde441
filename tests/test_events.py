"""AVS envelope parsing: good shapes become typed events, bad ones a specific error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ctxasr.errors import InvalidEnvelopeError, UnknownEventError
from ctxasr.events import ItemKind, estimate_playback_ms, parse_envelope
from tests.helpers import envelope


def test_recognize_with_text_is_an_utterance_item() -> None:
    event = parse_envelope(envelope("SpeechRecognizer.Recognize", "dr-1", {"text": "Call Meg."}))
    assert event.name == "SpeechRecognizer.Recognize"
    assert event.interaction_id == "dr-1"
    assert event.payload is not None
    assert (event.payload.kind, event.payload.text) == (ItemKind.UTTERANCE, "Call Meg.")


def test_speak_duration_given_or_estimated() -> None:
    given = envelope("SpeechSynthesizer.Speak", "dr", {"text": "Hi", "durationInMilliseconds": 9})
    assert parse_envelope(given).arg_ms == 9
    text = "Do you mean Meg Jones or Meg Bauer?"
    caption = {"caption": {"content": text, "type": "WEBVTT"}}
    estimated = parse_envelope(envelope("SpeechSynthesizer.Speak", "dr", caption))
    assert estimated.arg_ms == estimate_playback_ms(text) > 2000
    assert estimated.payload is not None and estimated.payload.text == text


def test_bare_header_payload_and_json_bytes_are_accepted() -> None:
    body = envelope("SpeechRecognizer.ExpectSpeech", "dr", {"timeoutInMilliseconds": 8000})
    event = parse_envelope(json.dumps(body["event"]).encode())
    assert event.arg_ms == 8000 and event.payload is None


def test_catalog_any_name_and_entries_trimmed() -> None:
    body = envelope("Context.Catalog", "dr", {"catalog": "playlists", "entries": [" Jazz "]})
    event = parse_envelope(body)
    assert event.payload is not None
    assert (event.payload.name, event.payload.entries) == ("playlists", ("Jazz",))


def test_extra_event_names_are_configurable() -> None:
    body = envelope("Alerts.SetAlert", "dr")
    with pytest.raises(UnknownEventError):
        parse_envelope(body)
    assert parse_envelope(body, extra_event_names={"Alerts.SetAlert"}).payload is None


def _header(**changes: Any) -> dict[str, Any]:
    header = {
        "namespace": "SpeechRecognizer",
        "name": "Recognize",
        "messageId": "m1",
        "dialogRequestId": "dr-1",
    }
    header.update(changes)
    return {"event": {"header": {k: v for k, v in header.items() if v is not None}}}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        ("{not json", "JSON"),
        ("[1, 2]", "JSON object"),
        ({"event": {"payload": {}}}, "no 'header'"),
        ({"event": {}, "directive": {}}, "both"),
        (_header(messageId=None), "messageId is missing"),
        (_header(dialogRequestId=""), "dialogRequestId is missing"),
        (_header(dialogRequestId=7), "must be a string"),
        (_header(dialogRequestId="a|b"), "not a valid id"),
        (_header(dialogRequestId="x" * 200), "not a valid id"),
        (_header(name="recognize now"), "malformed event name"),
        ({"event": {**_header()["event"], "payload": []}}, "payload"),
        ({"event": {**_header()["event"], "payload": {"text": 5}}}, "must be a string"),
        ({"event": {**_header()["event"], "payload": {"text": "\ud800"}}}, "Unicode"),
        (envelope("SpeechSynthesizer.Speak", "dr", {}), "Speak needs"),
        (
            envelope("SpeechSynthesizer.Speak", "dr", {"text": "a", "durationInMilliseconds": -1}),
            "non-negative",
        ),
        (envelope("SpeechRecognizer.ExpectSpeech", "dr", {}), "timeoutInMilliseconds"),
        (
            envelope("SpeechRecognizer.ExpectSpeech", "dr", {"timeoutInMilliseconds": True}),
            "integer",
        ),
        (envelope("Context.Catalog", "dr", {"catalog": "a b", "entries": ["x"]}), "catalog"),
        (envelope("Context.Catalog", "dr", {"catalog": "c", "entries": []}), "non-empty"),
        (envelope("Context.Catalog", "dr", {"catalog": "c", "entries": ["  "]}), "empty"),
        (envelope("Context.Catalog", "dr", {"catalog": "c", "entries": [1]}), "string"),
    ],
)
def test_bad_envelopes_get_specific_errors(raw: Any, message: str) -> None:
    with pytest.raises(InvalidEnvelopeError, match=message):
        parse_envelope(raw)


def test_unknown_event_name() -> None:
    with pytest.raises(UnknownEventError, match=r"Foo\.Bar"):
        parse_envelope(envelope("Foo.Bar", "dr"))
