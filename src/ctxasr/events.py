"""Dialogue events in the Alexa Voice Service (AVS) envelope, parsed into typed values.

An envelope is ``{"event"|"directive": {"header": {...}, "payload": {...}}}`` (the outer key may
be omitted). The header names the event (``namespace`` + ``name``) and carries ``messageId`` and
``dialogRequestId``; the latter identifies the interaction.

Parsing only checks shape and types. Size limits are the store's business (``StoreLimits``)
because they depend on deployment settings.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ctxasr.errors import InvalidEnvelopeError, UnknownEventError

RECOGNIZE = "SpeechRecognizer.Recognize"
SPEAK = "SpeechSynthesizer.Speak"
EXPECT_SPEECH = "SpeechRecognizer.ExpectSpeech"
CONTEXT_CATALOG = "Context.Catalog"

# Events that carry no user content but are worth recording in the status entry.
PASSIVE_EVENTS = frozenset(
    {
        "SpeechRecognizer.StopCapture",
        "SpeechRecognizer.ExpectSpeechTimedOut",
        "SpeechSynthesizer.SpeechStarted",
        "SpeechSynthesizer.SpeechFinished",
        "System.UserInactivityReport",
    }
)
KNOWN_EVENTS = frozenset({RECOGNIZE, SPEAK, EXPECT_SPEECH, CONTEXT_CATALOG}) | PASSIVE_EVENTS

# Ids end up inside the status entry's short event strings, so they exclude the separator.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
EVENT_NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}\.[A-Z][A-Za-z0-9]{0,63}$")
CATALOG_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# A speaking rate for replies whose playback duration was not given (~160 words/min).
_MS_PER_WORD = 375
_MIN_PLAYBACK_MS = 500


class ItemKind(StrEnum):
    """What a payload item holds."""

    UTTERANCE = "utterance"  # the user's words (a Recognize transcript)
    REPLY = "reply"  # the assistant's words (a Speak text)
    CATALOG = "catalog"  # a named entity list from another service


@dataclass(frozen=True)
class Header:
    namespace: str
    name: str
    message_id: str
    dialog_request_id: str

    @property
    def full_name(self) -> str:
        return f"{self.namespace}.{self.name}"


@dataclass(frozen=True)
class Payload:
    """User content of an event: stored encrypted, one item per payload."""

    kind: ItemKind
    name: str  # "user" / "assistant" for turns, the catalog's name for catalogs
    text: str | None = None  # utterance or reply text
    entries: tuple[str, ...] | None = None  # catalog entries

    def to_json_bytes(self) -> bytes:
        body: dict[str, Any] = {"kind": self.kind.value, "name": self.name}
        if self.text is not None:
            body["text"] = self.text
        if self.entries is not None:
            body["entries"] = list(self.entries)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Payload:
        body = json.loads(raw.decode("utf-8"))
        entries = body.get("entries")
        return cls(
            kind=ItemKind(body["kind"]),
            name=body["name"],
            text=body.get("text"),
            entries=tuple(entries) if entries is not None else None,
        )


@dataclass(frozen=True)
class DialogueEvent:
    """One parsed event or directive of an interaction."""

    header: Header
    # Speak: playback duration; ExpectSpeech: microphone timeout. Not user content.
    arg_ms: int | None = None
    payload: Payload | None = None

    @property
    def name(self) -> str:
        return self.header.full_name

    @property
    def interaction_id(self) -> str:
        return self.header.dialog_request_id


def estimate_playback_ms(text: str) -> int:
    """Rough text-to-speech duration, used when a Speak does not state its own."""
    return max(_MIN_PLAYBACK_MS, len(text.split()) * _MS_PER_WORD)


def make_envelope(
    name: str, interaction_id: str, payload: Mapping[str, Any], message_id: str | None = None
) -> dict[str, Any]:
    """The AVS envelope of event ``name`` ("Namespace.Name"), as a client sends it."""
    namespace, _, short = name.partition(".")
    header = {
        "namespace": namespace,
        "name": short,
        "messageId": message_id or f"{interaction_id}-{short}-{next(_message_numbers)}",
        "dialogRequestId": interaction_id,
    }
    return {"event": {"header": header, "payload": dict(payload)}}


_message_numbers = itertools.count(1)


def parse_envelope(
    raw: bytes | str | Mapping[str, Any], extra_event_names: Iterable[str] = ()
) -> DialogueEvent:
    """Parse and validate one AVS envelope; raise a specific ``InvalidInputError`` if bad."""
    body = _load_json(raw)
    inner = _unwrap(body)
    header = _parse_header(inner.get("header"))
    accepted = KNOWN_EVENTS.union(extra_event_names)
    if header.full_name not in accepted:
        raise UnknownEventError(f"unknown event {header.full_name!r}")
    payload = inner.get("payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidEnvelopeError("'payload' must be a JSON object")
    return _PAYLOAD_PARSERS.get(header.full_name, _parse_passive)(header, payload)


def _load_json(raw: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEnvelopeError(f"envelope is not valid UTF-8: {exc.reason}") from exc
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidEnvelopeError(f"envelope is not valid JSON: {exc}") from exc
    if not isinstance(body, Mapping):
        raise InvalidEnvelopeError("envelope must be a JSON object")
    return body


def _unwrap(body: Mapping[str, Any]) -> Mapping[str, Any]:
    wrappers = [key for key in ("event", "directive") if key in body]
    if len(wrappers) > 1:
        raise InvalidEnvelopeError("envelope has both 'event' and 'directive'")
    inner = body[wrappers[0]] if wrappers else body
    if not isinstance(inner, Mapping) or "header" not in inner:
        raise InvalidEnvelopeError("envelope has no 'header'")
    return inner


def _parse_header(header: Any) -> Header:
    if not isinstance(header, Mapping):
        raise InvalidEnvelopeError("'header' must be a JSON object")
    fields = {}
    for key in ("namespace", "name", "messageId", "dialogRequestId"):
        value = header.get(key)
        if value is None or value == "":
            raise InvalidEnvelopeError(f"header.{key} is missing")
        if not isinstance(value, str):
            raise InvalidEnvelopeError(f"header.{key} must be a string")
        fields[key] = value
    full_name = f"{fields['namespace']}.{fields['name']}"
    if not EVENT_NAME_PATTERN.match(full_name):
        raise InvalidEnvelopeError(f"malformed event name {full_name!r}")
    for key in ("messageId", "dialogRequestId"):
        check_id(fields[key], f"header.{key}")
    return Header(
        namespace=fields["namespace"],
        name=fields["name"],
        message_id=fields["messageId"],
        dialog_request_id=fields["dialogRequestId"],
    )


def check_id(value: object, what: str) -> str:
    """Validate an identifier (interaction, message, device, tenant) and return it."""
    if not isinstance(value, str):
        raise InvalidEnvelopeError(f"{what} must be a string")
    if not ID_PATTERN.match(value):
        raise InvalidEnvelopeError(
            f"{what} {value[:40]!r} is not a valid id (1-128 of A-Z a-z 0-9 . _ : -)"
        )
    return value


def check_text(value: object, what: str) -> str:
    """A text field must be a string encodable as UTF-8 (no lone surrogates)."""
    if not isinstance(value, str):
        raise InvalidEnvelopeError(f"{what} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEnvelopeError(f"{what} is not valid Unicode text: {exc.reason}") from exc
    return value


def _optional_ms(payload: Mapping[str, Any], key: str) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidEnvelopeError(f"payload.{key} must be a non-negative integer (ms)")
    return value


def _parse_recognize(header: Header, payload: Mapping[str, Any]) -> DialogueEvent:
    text = payload.get("text")
    if text is None:
        return DialogueEvent(header)
    text = check_text(text, "payload.text")
    return DialogueEvent(header, payload=Payload(ItemKind.UTTERANCE, "user", text=text))


def _parse_speak(header: Header, payload: Mapping[str, Any]) -> DialogueEvent:
    text = payload.get("text")
    caption = payload.get("caption")
    if text is None and isinstance(caption, Mapping):
        text = caption.get("content")
    if text is None:
        raise InvalidEnvelopeError("Speak needs payload.text (or payload.caption.content)")
    text = check_text(text, "payload.text")
    duration_ms = _optional_ms(payload, "durationInMilliseconds")
    if duration_ms is None:
        duration_ms = estimate_playback_ms(text)
    reply = Payload(ItemKind.REPLY, "assistant", text=text)
    return DialogueEvent(header, arg_ms=duration_ms, payload=reply)


def _parse_expect_speech(header: Header, payload: Mapping[str, Any]) -> DialogueEvent:
    timeout_ms = _optional_ms(payload, "timeoutInMilliseconds")
    if timeout_ms is None:
        raise InvalidEnvelopeError("ExpectSpeech needs payload.timeoutInMilliseconds")
    return DialogueEvent(header, arg_ms=timeout_ms)


def _parse_catalog(header: Header, payload: Mapping[str, Any]) -> DialogueEvent:
    name = payload.get("catalog")
    if not isinstance(name, str) or not CATALOG_NAME_PATTERN.match(name):
        raise InvalidEnvelopeError("payload.catalog must name the list (1-64 of A-Z a-z 0-9 _ . -)")
    entries = payload.get("entries")
    if not isinstance(entries, list) or not entries:
        raise InvalidEnvelopeError("payload.entries must be a non-empty list of strings")
    checked = []
    for index, raw_entry in enumerate(entries):
        entry = check_text(raw_entry, f"payload.entries[{index}]").strip()
        if not entry:
            raise InvalidEnvelopeError(f"payload.entries[{index}] is empty")
        checked.append(entry)
    catalog = Payload(ItemKind.CATALOG, name, entries=tuple(checked))
    return DialogueEvent(header, payload=catalog)


def _parse_passive(header: Header, payload: Mapping[str, Any]) -> DialogueEvent:
    return DialogueEvent(header)


_PAYLOAD_PARSERS = {
    RECOGNIZE: _parse_recognize,
    SPEAK: _parse_speak,
    EXPECT_SPEECH: _parse_expect_speech,
    CONTEXT_CATALOG: _parse_catalog,
}
