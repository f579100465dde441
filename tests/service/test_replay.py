"""``ctxasr replay`` against an in-process service, on a hand-written two-item manifest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctxasr.asr import Recognizer
from ctxasr.service.app import Services
from ctxasr.service.config import ServiceOptions
from ctxasr.service.embeddings import SentenceEncoder
from ctxasr.service.replay import ReplayOptions, run_replay
from tests.conftest import Speech

CONTEXT = {
    "turns": [
        {"role": "user", "text": "Call Meg."},
        {"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"},
    ],
    "catalogs": {"contacts": ["Meg Jones", "Meg Bauer", "Liam Okafor"]},
}

# A first request: no turns at all, only a catalog.
FIRST_REQUEST = {"turns": [], "catalogs": {"contacts": ["Meg Jones", "Liam Okafor"]}}


@pytest.fixture
def manifest(tmp_path: Path, speech: Speech) -> Path:
    rows = [
        ("r1", "Bauer.", ["Bauer"], ["contacts", "follow-up"], CONTEXT),
        ("r2", "Turn the power off.", [], ["confusable", "distractor"], CONTEXT),
        ("r3", "Call Liam Okafor.", ["Liam Okafor"], ["large", "follow-up"], FIRST_REQUEST),
    ]
    lines = []
    for item_id, text, entities, tags, context in rows:
        audio = tmp_path / f"{item_id}.wav"
        audio.write_bytes(speech.wav(text).read_bytes())
        row = {
            "id": item_id,
            "audio": audio.name,
            "reference": text,
            "entities": entities,
            "context": context,
            "tags": tags,
        }
        lines.append(json.dumps(row))
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def services(tmp_path: Path, recognizer: Recognizer) -> Iterator[Services]:
    options = ServiceOptions(data_dir=tmp_path / "var", api_keys={"k" * 20: "t"}, grace_ms=3_000)
    built = Services.build(options, recognizer=recognizer, encoder=SentenceEncoder())
    yield built
    built.close()


def test_replay_writes_eval_files_with_context_readiness(
    manifest: Path, tmp_path: Path, services: Services
) -> None:
    out = tmp_path / "replay"
    summary = run_replay(ReplayOptions(manifest, out, reply_ms=400), services)
    rows = {
        r["id"]: r for r in map(json.loads, (out / "hypotheses.jsonl").read_text().splitlines())
    }
    assert rows.keys() == {"r1", "r2", "r3"}
    for row in rows.values():
        assert row["context_ready"] is True and row["margin_ms"] is not None
        assert row["context_used"] is True and row["latency_ms"] > 0
    assert rows["r1"]["hypothesis"].rstrip(".") == "Bauer"
    assert "power" in rows["r2"]["hypothesis"].lower()
    # A first request's catalog reaches the decoder. Whether the guard then takes the name
    # over confident dictionary words depends on the voicing: it did for 5 of 6 random piper
    # syntheses of this sentence, not for the fixed one the tests use.
    r3 = rows["r3"]
    assert "Liam Okafor" in (r3["biased_hypothesis"] or r3["hypothesis"])
    assert summary["context_ready_rate"] == 1.0 and summary["items"] == 3
    assert json.loads((out / "summary.json").read_text())["systems"]["context"]["all"]["items"] == 3
    assert (out / "timeline.png").read_bytes()[:4] == b"\x89PNG"
