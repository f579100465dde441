"""Shared fixtures: a real DynamoDB/KMS-compatible server process, and store factories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from ctxasr.bench.local_server import (
    dynalite_command,
    find_dynalite,
    free_port,
    moto_command,
    serve,
)
from ctxasr.clock import ManualClock
from ctxasr.crypto import Envelope, Keyring, StaticKeyring
from ctxasr.store import ContextStore, MemoryBackend, SqliteBackend, StoreOptions
from ctxasr.store.base import StoreBackend
from ctxasr.store.dynamodb import DynamoDbBackend, DynamoDbOptions

BACKENDS = ["memory", "sqlite", "dynamodb"]


REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server as its own process: DynamoDB (with the TTL API) and KMS over HTTP."""
    port = free_port()
    with serve(moto_command(port), port) as url:
        yield url


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    """dynalite (npm) as its own process: unlike moto, it locks items on UpdateItem, so
    concurrent appends behave as on DynamoDB. ``make test`` installs it (package.json)."""
    binary = find_dynalite(REPO)
    if binary is None:
        pytest.fail("dynalite is missing: run 'npm install' in the repository root")
    port = free_port()
    with serve(dynalite_command(binary, port), port) as url:
        yield url


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def dynamodb_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)


StoreFactory = Callable[..., ContextStore]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_backend(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[], StoreBackend]:
    def make() -> StoreBackend:
        if backend_name == "memory":
            return MemoryBackend()
        if backend_name == "sqlite":
            return SqliteBackend(tmp_path / "ctx.sqlite3")
        endpoint = request.getfixturevalue("dynalite_endpoint")
        options = DynamoDbOptions(table_prefix=f"t{uuid.uuid4().hex[:12]}", endpoint_url=endpoint)
        return DynamoDbBackend(dynamodb_client(endpoint), options)

    return make


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_store(
    make_backend: Callable[[], StoreBackend], clock: ManualClock
) -> Iterator[StoreFactory]:
    stores: list[ContextStore] = []

    def make(options: StoreOptions | None = None, keyring: Keyring | None = None) -> ContextStore:
        store = ContextStore(
            make_backend(), Envelope(keyring or StaticKeyring()), options, clock=clock
        )
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


# -- speech -------------------------------------------------------------------------------


class Speech:
    """Synthesises utterances with piper once per session, cached by text; without piper's
    random variation, so every run hears the same audio (with it, "Call Liam Okafor." came out
    right in 5 of 6 syntheses)."""

    def __init__(self, folder: Path) -> None:
        from ctxasr.dataset.voices import PiperVoice

        self.folder = folder
        self.voice = PiperVoice(variation=False)
        self._made: dict[str, Path] = {}

    def wav(self, text: str) -> Path:
        if text not in self._made:
            path = self.folder / f"u{len(self._made)}.wav"
            self.voice.speak(text, path)
            self._made[text] = path
        return self._made[text]


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Speech:
    return Speech(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="session")
def recognizer():  # type: ignore[no-untyped-def]
    from ctxasr.asr import Recognizer

    return Recognizer()
