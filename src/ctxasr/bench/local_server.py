"""Start a local DynamoDB-compatible server process on a loopback port (tests, benchmarks)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ctxasr.errors import StoreUnavailableError

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_dynalite(start: Path | None = None) -> Path | None:
    """dynalite from ``node_modules`` of the working directory or a parent, or from PATH."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "node_modules" / ".bin" / "dynalite"
        if candidate.exists():
            return candidate
    found = shutil.which("dynalite")
    return Path(found) if found else None


def dynalite_command(binary: Path, port: int) -> list[str]:
    # Tables become ACTIVE at once; the default 500 ms delays only slow tests down.
    return [
        str(binary),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--createTableMs",
        "0",
        "--deleteTableMs",
        "0",
        "--updateTableMs",
        "0",
    ]


def moto_command(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


@contextmanager
def serve(command: list[str], port: int) -> Iterator[str]:
    """Run ``command`` (a server listening on ``port``) until the block ends; yield its URL."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        _wait_listening(proc, port, command[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_listening(proc: subprocess.Popen[bytes], port: int, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if proc.poll() is not None:
                raise StoreUnavailableError(f"{name} exited with {proc.returncode}") from None
            time.sleep(0.1)
    raise StoreUnavailableError(f"{name} did not start listening on port {port}")


@contextmanager
def local_dynamodb() -> Iterator[str]:
    """A local DynamoDB: dynalite when installed (it locks items like DynamoDB), else moto."""
    port = free_port()
    binary = find_dynalite()
    command = dynalite_command(binary, port) if binary else moto_command(port)
    with serve(command, port) as url:
        yield url
