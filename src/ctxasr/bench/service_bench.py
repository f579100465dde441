"""``ctxasr bench service``: the computation window under realistic timing, and the memory bill.

An in-process service (SQLite store, local keyring, the default Whisper model and sentence
encoder) is driven through HTTP like a device: per interaction a request, a fresh catalog of
``catalog_entries`` names, a reply of ``reply_ms`` with ExpectSpeech, then the follow-up audio
exactly when the reply ends. The follow-up gets the context only if the build finished by then
(grace 0 by default), so ``ready_in_time_rate`` is the share of interactions whose context beat
the reply. Every catalog is new, so each build pays for its phonetic index too.
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxasr.errors import ConfigError
from ctxasr.events import make_envelope

TENANT_KEY = "bench-key-0123456789abcdef"


@dataclass(frozen=True)
class ServiceBenchOptions:
    interactions: int = 100  # nearest-rank p99 of 100 builds is the 99th, not the maximum
    catalog_entries: int = 500  # names in each interaction's contact list
    reply_ms: int = 1_000  # how long the assistant's reply plays before the follow-up
    grace_ms: int = 0  # how long the follow-up may wait for a late context
    model: str = "tiny.en"
    seed: int = 5
    semantic_selection: bool = False  # the service's selection by meaning (off by default)

    def __post_init__(self) -> None:
        if self.interactions < 1 or not 1 <= self.catalog_entries <= 5_000:
            raise ConfigError("need interactions >= 1 and 1 <= catalog_entries <= 5000")
        if self.reply_ms < 0 or self.grace_ms < 0:
            raise ConfigError("reply_ms and grace_ms must be >= 0")


def run_service_bench(options: ServiceBenchOptions) -> dict[str, Any]:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from ctxasr.service.app import (  # noqa: PLC0415
        Services,
        create_app,
        limit_malloc_arenas,
        prepare_heap,
    )
    from ctxasr.service.config import ServiceOptions  # noqa: PLC0415

    limit_malloc_arenas()  # as ``ctxasr serve`` does before the models load
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="ctxasr-bench-service-") as folder:
        audio = _follow_up_audio(Path(folder))
        service_options = ServiceOptions(
            data_dir=Path(folder),
            api_keys={TENANT_KEY: "bench"},
            grace_ms=options.grace_ms,
            model=options.model,
            semantic_selection=options.semantic_selection,
        )
        services = Services.build(service_options)
        prepare_heap()  # as ``ctxasr serve`` does after start-up
        try:
            names = _full_names(options.catalog_entries)
            device = _Device(TestClient(create_app(services)), services, options, rng, audio, names)
            device.interaction("warm-up")
            runs = [device.interaction(f"b{n}") for n in range(options.interactions)]
        finally:
            services.close()
    return _report(options, runs)


@dataclass(frozen=True)
class _Run:
    ready: bool
    build_ms: float | None  # None: the build failed
    margin_ms: float | None
    recognize_ms: float


@dataclass
class _Device:
    """Plays the device's side of one interaction after another against the service."""

    client: Any  # the HTTP client of the in-process app
    services: Any  # the app's parts, to read the build time after the fact
    options: ServiceBenchOptions
    rng: random.Random
    audio: bytes  # the follow-up, the same every time
    names: list[str]  # every contact name a catalog may draw on (read once)

    def interaction(self, n: str) -> _Run:
        headers = {"X-Api-Key": TENANT_KEY}
        device, interaction = f"bench-{n}", f"dr-{n}"
        reply_started = self._dialogue(f"/v1/devices/{device}/events", interaction, headers)
        wait_s = self.options.reply_ms / 1000 - (time.perf_counter() - reply_started)
        time.sleep(max(0.0, wait_s))  # the follow-up comes when the reply has played
        start = time.perf_counter()
        answer = self.client.post(
            f"/v1/devices/{device}/recognize",
            content=self.audio,
            params={"interaction_id": interaction},
            headers=headers,
        )
        answer.raise_for_status()
        recognize_ms = (time.perf_counter() - start) * 1000
        context = answer.json()["context"]
        # The build's own time, whether or not it made it: wait for it after the fact.
        built = self.services.window.take("bench", device, interaction, grace_ms=30_000)
        return _Run(context["ready"], built.build_ms, context["margin_ms"], recognize_ms)

    def _dialogue(self, url: str, interaction: str, headers: dict[str, str]) -> float:
        """Request, catalog, reply and ExpectSpeech; returns when the reply began (perf s)."""
        names = self.rng.sample(self.names, self.options.catalog_entries)
        offered = self.rng.sample(names, 2)
        speak: dict[str, Any] = {
            "text": f"Do you mean {offered[0]} or {offered[1]}?",
            "durationInMilliseconds": self.options.reply_ms,
        }
        events: list[tuple[str, dict[str, Any]]] = [
            ("SpeechRecognizer.Recognize", {"text": f"Call {offered[0].split()[0]}."}),
            ("Context.Catalog", {"catalog": "contacts", "entries": names}),
            ("SpeechSynthesizer.Speak", speak),
            ("SpeechRecognizer.ExpectSpeech", {"timeoutInMilliseconds": 8000}),
        ]
        reply_started = time.perf_counter()
        for name, payload in events:
            if name == "SpeechSynthesizer.Speak":
                reply_started = time.perf_counter()
            body = make_envelope(name, interaction, payload)
            self.client.post(url, json=body, headers=headers).raise_for_status()
        return reply_started


def _full_names(size: int) -> list[str]:
    """Every first x last name pair of the dataset's names, numbered copies if ``size`` needs."""
    from ctxasr.dataset.scenarios import Resources  # noqa: PLC0415

    pairs = Resources.load().full_names()
    if size > len(pairs):
        pairs += [f"{p} {k}" for k in range(size // len(pairs) + 1) for p in pairs]
    return pairs


def _follow_up_audio(folder: Path) -> bytes:
    from ctxasr.dataset.voices import PiperVoice  # noqa: PLC0415

    path = folder / "follow-up.wav"
    PiperVoice().speak("The second one, please.", path)
    return path.read_bytes()


def _report(options: ServiceBenchOptions, runs: list[_Run]) -> dict[str, Any]:
    builds = sorted(r.build_ms for r in runs if r.build_ms is not None)
    margins = [r.margin_ms for r in runs if r.margin_ms is not None]
    return {
        "interactions": len(runs),
        "catalog_entries": options.catalog_entries,
        "reply_ms": options.reply_ms,
        "grace_ms": options.grace_ms,
        "model": options.model,
        "semantic_selection": options.semantic_selection,
        "context_builds_failed": len(runs) - len(builds),
        "context_build_p50_ms": round(statistics.median(builds), 1) if builds else None,
        "context_build_p99_ms": round(_quantile(builds, 0.99), 1) if builds else None,
        "ready_in_time_rate": round(sum(r.ready for r in runs) / len(runs), 4),
        "ready_margin_p50_ms": round(statistics.median(margins), 1) if margins else None,
        "recognize_p50_ms": round(statistics.median(r.recognize_ms for r in runs), 1),
        "rss_mb": round(_peak_rss_mb(), 1),
    }


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile: with few samples, p99 is the maximum, not an interpolation."""
    rank = max(1, min(len(values), int(-(-q * len(values) // 1))))
    return sorted(values)[rank - 1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def format_table(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"interactions={report['interactions']} catalog entries={report['catalog_entries']}"
            f" reply={report['reply_ms']} ms grace={report['grace_ms']} ms model={report['model']}"
            f" semantic selection={report['semantic_selection']}",
            f"context build      p50 {report['context_build_p50_ms']} ms"
            f"   p99 {report['context_build_p99_ms']} ms   (target p99 < 100 ms)",
            f"ready in time      {report['ready_in_time_rate']:.1%}"
            f"   (margin p50 {report['ready_margin_p50_ms']} ms before the follow-up)",
            f"follow-up recognition p50 {report['recognize_p50_ms']} ms (HTTP, in-process)",
            f"peak resident memory {report['rss_mb']} MB   (target < 1500 MB)",
        ]
    )
