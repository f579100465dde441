"""The service through HTTP (httpx against the ASGI app)."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ctxasr.asr import Recognizer
from ctxasr.errors import ConfigError, StoreUnavailableError
from ctxasr.service.app import Services, create_app
from ctxasr.service.config import ServiceOptions
from ctxasr.service.embeddings import SentenceEncoder
from tests.conftest import Speech
from tests.helpers import envelope

KEY_A, KEY_B = "key-a-0123456789abcdef", "key-b-0123456789abcdef"
A, B = {"X-Api-Key": KEY_A}, {"Authorization": f"Bearer {KEY_B}"}


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


@pytest.fixture
def services(
    tmp_path: Path, recognizer: Recognizer, encoder: SentenceEncoder
) -> Iterator[Services]:
    options = ServiceOptions(
        data_dir=tmp_path,
        api_keys={KEY_A: "tenant-a", KEY_B: "tenant-b"},
        grace_ms=5_000,
        max_upload_bytes=400_000,
    )
    built = Services.build(options, recognizer=recognizer, encoder=encoder)
    yield built
    built.close()


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_app(services))


def dialogue(
    client: TestClient, interaction: str, question: str, contacts: list[str], expect: bool = True
) -> list[dict[str, Any]]:
    url = "/v1/devices/kitchen/events"
    steps = [
        envelope("SpeechRecognizer.Recognize", interaction, {"text": "Call Meg."}),
        envelope("Context.Catalog", interaction, {"catalog": "contacts", "entries": contacts}),
        envelope(
            "SpeechSynthesizer.Speak",
            interaction,
            {"text": question, "durationInMilliseconds": 2500},
        ),
    ]
    if expect:
        steps.append(
            envelope("SpeechRecognizer.ExpectSpeech", interaction, {"timeoutInMilliseconds": 8000})
        )
    replies = []
    for step in steps:
        reply = client.post(url, json=step, headers=A)
        assert reply.status_code == 200, reply.text
        replies.append(reply.json())
    return replies


def follow_up(client: TestClient, wav: Path, interaction: str | None, headers: dict[str, str] = A):
    params = {"interaction_id": interaction} if interaction else {}
    return client.post(
        "/v1/devices/kitchen/recognize", content=wav.read_bytes(), params=params, headers=headers
    )


MEG = ["Meg Jones", "Meg Bauer", "Siobhan Okafor", "Liam Okafor"]


def test_meg_bauer_end_to_end(client: TestClient, speech: Speech) -> None:
    replies = dialogue(client, "dr-1", "Do you mean Meg Jones or Meg Bauer?", MEG)
    assert [r["decision"] for r in replies] == ["ignore", "ignore", "ignore", "build"]
    reply = follow_up(client, speech.wav("Bauer."), "dr-1")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["text"].strip(" .?!").lower() == "bauer"
    assert body["context_used"] is True
    assert body["context"]["ready"] is True and body["context"]["margin_ms"] is not None
    assert [e["phrase"] for e in body["entities"]] == ["Bauer"]


def test_context_recovers_a_name_through_the_service(client: TestClient, speech: Speech) -> None:
    dialogue(client, "dr-2", "Do you mean Siobhan Okafor or Liam Okafor?", MEG)
    body = follow_up(client, speech.wav("Siobhan Okafor."), None).json()
    assert "siobhan okafor" in body["text"].lower()
    assert body["context"]["interaction_id"] == "dr-2"


def test_without_expect_speech_no_context_and_no_decryption(
    client: TestClient, services: Services, speech: Speech
) -> None:
    replies = dialogue(client, "dr-3", "Calling Meg Jones.", MEG, expect=False)
    assert replies[-1]["decision"] == "ignore"
    body = follow_up(client, speech.wav("Bauer."), None).json()
    assert body["context_used"] is False and body["context"]["used"] is False
    assert "not re-opened" in body["context"]["reason"]
    assert services.store.envelope.counters.decrypts == 0
    assert services.store.envelope.counters.encrypts == 3


def test_a_failing_context_path_still_returns_a_transcript(
    client: TestClient, services: Services, speech: Speech, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise StoreUnavailableError("store down")

    monkeypatch.setattr(services.store, "load_context", broken)
    dialogue(client, "dr-4", "Do you mean Meg Jones or Meg Bauer?", MEG)
    reply = follow_up(client, speech.wav("Turn the power off."), "dr-4")
    assert reply.status_code == 200
    body = reply.json()
    assert "power" in body["text"].lower()
    assert body["context"]["used"] is False and "store down" in body["context"]["reason"]
    metrics = client.get("/metrics").text
    assert 'ctxasr_context_builds_total{outcome="failed"} 1.0' in metrics


def test_a_foreign_key_learns_nothing(client: TestClient, speech: Speech) -> None:
    dialogue(client, "dr-5", "Do you mean Meg Jones or Meg Bauer?", MEG)
    reply = follow_up(client, speech.wav("Bauer."), "dr-5", headers=B)
    never = follow_up(client, speech.wav("Bauer."), "dr-none", headers=B)
    assert reply.status_code == never.status_code == 404
    # The same answer as for an interaction that never existed: nothing leaks.
    assert reply.json()["error"] == {
        **never.json()["error"],
        "message": never.json()["error"]["message"].replace("dr-none", "dr-5"),
    }
    assert follow_up(client, speech.wav("Bauer."), None, headers=B).json()["context_used"] is False
    vectors = client.get("/v1/devices/kitchen/context/embeddings", headers=B).json()
    assert vectors["turns"] == []
    assert client.delete("/v1/devices/kitchen", headers=B).json() == {"deleted_entries": 0}
    assert client.get("/v1/devices/kitchen/context/embeddings", headers=A).json()["turns"]
    assert follow_up(client, speech.wav("Bauer."), "dr-5").status_code == 200
    assert client.get("/v1/devices/kitchen/context/embeddings").status_code == 401
    bad = client.get("/v1/devices/kitchen/context/embeddings", headers={"X-Api-Key": "nope"})
    assert bad.status_code == 401


def test_context_embeddings_on_tap(client: TestClient) -> None:
    dialogue(client, "dr-6", "Do you mean Meg Jones or Meg Bauer?", MEG)
    follow = client.post("/v1/devices/kitchen/recognize", content=b"", headers=A)
    assert follow.status_code == 415  # empty audio: but the context was built meanwhile
    body = client.get("/v1/devices/kitchen/context/embeddings?k=6", headers=A).json()
    assert (body["model"], body["dimension"]) == ("all-MiniLM-L6-v2", 384)
    assert [t["role"] for t in body["turns"]] == ["user", "assistant"]
    vector = np.array(body["turns"][1]["vector"])
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-3


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"{not json", 400, "InvalidEnvelopeError"),
        (
            b'{"event": {"header": {"namespace": "Foo", "name": "Bar", "messageId": "m",'
            b' "dialogRequestId": "d"}}}',
            400,
            "UnknownEventError",
        ),
        (b'{"event": {"header": {"namespace": "SpeechRecognizer"}}}', 400, "InvalidEnvelopeError"),
    ],
)
def test_bad_events(client: TestClient, body: bytes, status: int, kind: str) -> None:
    reply = client.post("/v1/devices/kitchen/events", content=body, headers=A)
    assert reply.status_code == status
    assert reply.json()["error"]["type"] == kind
    assert client.get("/healthz").status_code == 200


def test_bad_follow_ups(client: TestClient, speech: Speech) -> None:
    assert follow_up(client, speech.wav("Bauer."), "dr-unknown").status_code == 404
    junk = client.post("/v1/devices/kitchen/recognize", content=b"not audio" * 100, headers=A)
    assert junk.status_code == 415 and "not decodable" in junk.json()["error"]["message"]
    big = client.post("/v1/devices/kitchen/recognize", content=b"\0" * 500_000, headers=A)
    assert big.status_code == 413
    bad_id = client.post("/v1/devices/bad%7Cid/recognize", content=b"x", headers=A)
    assert bad_id.status_code == 400
    pcm = (np.zeros(8000, dtype="<i2")).tobytes()
    silent = client.post("/v1/devices/kitchen/recognize?pcm_rate=8000", content=pcm, headers=A)
    assert silent.status_code == 200 and silent.json()["text"] == ""


def test_erase_device(client: TestClient, speech: Speech) -> None:
    dialogue(client, "dr-7", "Do you mean Meg Jones or Meg Bauer?", MEG)
    assert client.delete("/v1/devices/kitchen", headers=A).json()["deleted_entries"] == 4
    assert follow_up(client, speech.wav("Bauer."), "dr-7").status_code == 404
    assert client.get("/v1/devices/kitchen/context/embeddings", headers=A).json()["turns"] == []


def test_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/devices/{device_id}/recognize" in paths
    assert "/v1/devices/{device_id}/events" in paths


def test_selection_by_meaning_in_the_service(
    tmp_path: Path, recognizer: Recognizer, encoder: SentenceEncoder, speech: Speech
) -> None:
    with pytest.raises(ConfigError, match="semantic_selection"):
        ServiceOptions(semantic_selection=True, encoder=None)
    options = ServiceOptions(
        data_dir=tmp_path, api_keys={KEY_A: "tenant-a"}, grace_ms=10_000, semantic_selection=True
    )
    services = Services.build(options, recognizer=recognizer, encoder=encoder)
    try:
        book = [*MEG, *(f"Person{i} Surname{i}" for i in range(300))]  # overflows the prompt
        dialogue(
            TestClient(create_app(services)), "dr-8", "Do you mean Meg Jones or Meg Bauer?", book
        )
        body = follow_up(TestClient(create_app(services)), speech.wav("Bauer."), "dr-8").json()
        assert body["context"]["ready"] is True and body["context_used"] is True
        assert body["text"].strip(" .?!").lower() == "bauer"
        cached = services.window._entry_vectors  # the entries were scored
        assert sum(len(c) for c in cached.values()) >= 300
    finally:
        services.close()


def test_malloc_arenas_are_limited_on_glibc() -> None:
    from ctxasr.service.app import limit_malloc_arenas

    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas() is expected
