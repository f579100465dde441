"""The service as the README starts it: ``ctxasr serve`` in its own process, over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Speech
from tests.helpers import envelope

KEY, FOREIGN = "uvicorn-key-0123456789", "foreign-key-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {**os.environ, "CTXASR_API_KEYS": f"{KEY}:tenant-a,{FOREIGN}:tenant-b"}
    command = [sys.executable, "-m", "ctxasr.cli", "serve", "--port", str(port)]
    command += ["--data-dir", str(folder / "var"), "--no-embeddings", "--grace-ms", "5000"]
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout_s=120)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ctxasr serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError("ctxasr serve did not become healthy in time")


def test_meg_bauer_over_real_http(server: str, speech: Speech) -> None:
    headers = {"X-Api-Key": KEY}
    events = [
        envelope("SpeechRecognizer.Recognize", "dr-u1", {"text": "Call Meg."}),
        envelope(
            "Context.Catalog",
            "dr-u1",
            {"catalog": "contacts", "entries": ["Meg Jones", "Meg Bauer"]},
        ),
        envelope(
            "SpeechSynthesizer.Speak", "dr-u1", {"text": "Do you mean Meg Jones or Meg Bauer?"}
        ),
        envelope("SpeechRecognizer.ExpectSpeech", "dr-u1", {"timeoutInMilliseconds": 8000}),
    ]
    with httpx.Client(base_url=server, headers=headers, timeout=60) as client:
        replies = [client.post("/v1/devices/kitchen/events", json=e).json() for e in events]
        assert replies[-1]["decision"] == "build"
        audio = speech.wav("Bauer.").read_bytes()
        answer = client.post("/v1/devices/kitchen/recognize", content=audio).json()
    assert answer["text"].rstrip(".") == "Bauer"
    assert answer["context_used"] is True and answer["context"]["ready"] is True
    foreign = httpx.post(
        f"{server}/v1/devices/kitchen/recognize",
        content=audio,
        params={"interaction_id": "dr-u1"},
        headers={"X-Api-Key": FOREIGN},
        timeout=60,
    )
    assert foreign.status_code == 404
    assert "Bauer" not in json.dumps(foreign.json())
    assert httpx.get(f"{server}/openapi.json").status_code == 200
    unauthenticated = httpx.post(f"{server}/v1/devices/kitchen/events", json=events[0])
    assert unauthenticated.status_code == 401


def test_serve_refuses_bad_options_with_a_clear_error(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ctxasr.cli", "serve", "--grace-ms", "-5"]
    command += ["--data-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "grace_ms" in done.stderr
