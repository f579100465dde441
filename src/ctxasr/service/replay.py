"""``ctxasr replay``: drive the service from a dialogue manifest, as a device would.

Per item: the turns become Recognize (user) and Speak (assistant) events, the catalogs become
context signals, then ExpectSpeech re-opens the microphone. The replay waits for the reply to
play (its duration) and sends the item's audio as the follow-up. The files are those of
``ctxasr eval`` plus, per item, whether the context was ready and by what margin.

An item without an assistant turn (a first-turn request against a catalog) gets an empty
reply, so that its catalogs still reach the recognizer through the same window.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ctxasr.errors import ConfigError, CtxAsrError
from ctxasr.eval.manifest import ManifestItem, read_manifest
from ctxasr.eval.summary import summarize
from ctxasr.events import estimate_playback_ms, make_envelope

if TYPE_CHECKING:
    from ctxasr.service.app import Services


class Http(Protocol):
    """Role: an HTTP client (httpx.Client, or the test client of an in-process app)."""

    def post(self, url: str, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class ReplayOptions:
    manifest: Path
    out: Path
    url: str | None = None  # a running service; None: an in-process one
    api_key: str | None = None
    reply_ms: int | None = None  # every reply plays this long; None: estimated from its text
    limit: int | None = None
    grace_ms: int = 150  # in-process service only

    def __post_init__(self) -> None:
        if self.url is not None and not self.api_key:
            raise ConfigError("replay against a URL needs --api-key")


def run_replay(options: ReplayOptions, services: Services | None = None) -> dict[str, Any]:
    """Replay the manifest; ``services``: use this in-process service instead of a new one."""
    items, problems = read_manifest(options.manifest)
    items = items[: options.limit] if options.limit else items
    options.out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}
    timeline: dict[str, Any] | None = None
    with (
        _client(options, services) as (http, headers),
        (options.out / "hypotheses.jsonl").open("w") as out,
    ):
        for n, item in enumerate(items):
            row, events = _replay_item(http, headers, item, n, options)
            rows[item.id] = row
            out.write(json.dumps(row) + "\n")
            out.flush()
            if timeline is None and row["context_ready"]:
                timeline = events
    ready = [r["context_ready"] for r in rows.values()]
    meta = {
        "manifest": str(options.manifest.resolve()),
        "mode": "replay",
        "service": options.url or "in-process",
        "problems": [str(p) for p in problems],
        "context_ready_rate": round(sum(ready) / len(ready), 4) if ready else None,
    }
    summary = summarize(items, rows, meta)
    (options.out / "summary.json").write_text(json.dumps(summary, indent=2))
    if timeline is not None:
        draw_timeline(timeline, options.out / "timeline.png")
    return summary


def _replay_item(
    http: Http, headers: dict[str, str], item: ManifestItem, n: int, options: ReplayOptions
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One item through the API: its dialogue as events, then its audio the moment the reply
    ends. Returns its hypotheses row and its timeline marks (ms since the first event)."""
    device, interaction = f"replay-{n}", f"rp-{n}-{int(time.time() * 1000)}"
    start = time.perf_counter()
    marks: dict[str, Any] = {}

    def send(name: str, payload: dict[str, Any]) -> None:
        envelope = make_envelope(name, interaction, payload)
        _post(http, f"/v1/devices/{device}/events", headers, envelope)

    reply_ms = _play_dialogue(send, item, options, start, marks)
    time.sleep(max(0.0, (marks["speak_ms"] + reply_ms - _ms(start)) / 1000))
    marks["followup_ms"] = _ms(start)
    body = _post(
        http,
        f"/v1/devices/{device}/recognize",
        headers,
        item.audio.read_bytes(),
        params={"interaction_id": interaction},
    )
    marks["result_ms"] = _ms(start)
    context = body["context"]
    marks.update(reply_ms=reply_ms, build_ms=context.get("build_ms"), ready=context["ready"])
    return _hypothesis_row(item, body, marks), marks


def _play_dialogue(
    send: Callable[[str, dict[str, Any]], None],
    item: ManifestItem,
    options: ReplayOptions,
    start: float,
    marks: dict[str, Any],
) -> int:
    """Sends the item's context as the device would: the user's turns, the catalogs, the
    assistant's reply and the microphone re-opening. Returns the reply's length (ms)."""
    user_turns = [t for t in item.context.turns if t.role == "user"]
    for turn in user_turns:
        send("SpeechRecognizer.Recognize", {"text": turn.text})
    if not user_turns:  # a first request: its Recognize (no transcript yet) opens the interaction
        send("SpeechRecognizer.Recognize", {})
    for catalog in item.context.catalogs:
        send("Context.Catalog", {"catalog": catalog.name, "entries": list(catalog.entries)})
    assistant = [t for t in item.context.turns if t.role == "assistant"]
    reply = assistant[-1].text if assistant else ""
    reply_ms = options.reply_ms or estimate_playback_ms(reply)
    marks["speak_ms"] = _ms(start)
    send("SpeechSynthesizer.Speak", {"text": reply, "durationInMilliseconds": reply_ms})
    send("SpeechRecognizer.ExpectSpeech", {"timeoutInMilliseconds": 8000})
    marks["expect_ms"] = _ms(start)
    return reply_ms


def _hypothesis_row(
    item: ManifestItem, body: dict[str, Any], marks: dict[str, Any]
) -> dict[str, Any]:
    """The item's line of hypotheses.jsonl, in the manifest spec's format."""
    context = body["context"]
    return {
        "id": item.id,
        "hypothesis": body["text"],
        "context_used": body["context_used"],
        "latency_ms": round(marks["result_ms"] - marks["followup_ms"], 1),
        "entities": body["entities"],
        "no_context_hypothesis": body["unbiased_text"] or body["text"],
        "biased_hypothesis": body["biased_text"],
        "context_ready": context["ready"],
        "margin_ms": context["margin_ms"],
        "reason": context["reason"],
    }


def _post(http: Http, url: str, headers: dict[str, str], body: Any, **kwargs: Any) -> Any:
    if isinstance(body, bytes):
        reply = http.post(url, content=body, headers=headers, **kwargs)
    else:
        reply = http.post(url, json=body, headers=headers, **kwargs)
    if reply.status_code != 200:
        raise CtxAsrError(f"{url} answered {reply.status_code}: {reply.text[:200]}")
    return reply.json()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


@contextmanager
def _client(
    options: ReplayOptions, services: Services | None
) -> Iterator[tuple[Http, dict[str, str]]]:
    if options.url is not None:
        import httpx  # noqa: PLC0415

        with httpx.Client(base_url=options.url, timeout=60) as client:
            yield client, {"X-Api-Key": options.api_key or ""}
        return
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from ctxasr.service.app import Services, create_app  # noqa: PLC0415
    from ctxasr.service.config import ServiceOptions  # noqa: PLC0415

    if services is not None:
        key = next(iter(services.keys))
        yield TestClient(create_app(services)), {"X-Api-Key": key}
        return
    key = "replay-key-0123456789"
    with tempfile.TemporaryDirectory(prefix="ctxasr-replay-") as folder:
        service_options = ServiceOptions(
            data_dir=Path(folder), api_keys={key: "replay"}, grace_ms=options.grace_ms
        )
        services = Services.build(service_options)
        services.warm_up()
        try:
            yield TestClient(create_app(services)), {"X-Api-Key": key}
        finally:
            services.close()


def draw_timeline(marks: dict[str, Any], path: Path) -> None:
    """One interaction on a time axis, like the seed's compute-window figure."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    speak = marks["speak_ms"]
    build_start = marks["expect_ms"]
    build_end = build_start + (marks.get("build_ms") or 0)
    bars = [
        ("Speak (reply plays)", speak, speak + marks["reply_ms"], "tab:blue"),
        ("ExpectSpeech", marks["expect_ms"], marks["expect_ms"] + 15, "tab:orange"),
        ("context build", build_start, build_end, "tab:green"),
        ("follow-up recognition", marks["followup_ms"], marks["result_ms"], "tab:red"),
    ]
    figure, axis = plt.subplots(figsize=(8, 2.8))
    for row, (label, begin, end, color) in enumerate(bars):
        axis.barh(row, max(end - begin, 5), left=begin, color=color)
        axis.text(end + 15, row, f"{label} ({end - begin:.0f} ms)", va="center", fontsize=8)
    axis.set_yticks([])
    axis.invert_yaxis()
    axis.set_xlabel("ms since the reply started")
    axis.set_title("The computation window: the context is built while the reply plays")
    axis.set_xlim(0, marks["result_ms"] * 1.45)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
