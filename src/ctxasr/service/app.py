"""The HTTP API (FastAPI). ``Services`` assembles every part in one constructor.

Routes (all but /healthz and /metrics need ``X-Api-Key`` or ``Authorization: Bearer``; a key
reaches only its own tenant's devices):

* ``POST /v1/devices/{device}/events``      one AVS envelope → atomic append → trigger
* ``POST /v1/devices/{device}/recognize``   follow-up audio → Recognition (+ context status)
* ``GET  /v1/devices/{device}/context/embeddings?k=6``   the device's latest turn vectors
* ``DELETE /v1/devices/{device}``           erase everything of the device
"""

from __future__ import annotations

import ctypes
import gc
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ctxasr import __version__
from ctxasr.asr import (
    AudioError,
    EngineOptions,
    Recognition,
    Recognizer,
    RecognizerOptions,
    load_audio,
)
from ctxasr.asr.models import ModelError
from ctxasr.context import DialogueContext
from ctxasr.context.semantic import SemanticRanker
from ctxasr.crypto import Envelope, LocalFileKeyring
from ctxasr.errors import (
    CtxAsrError,
    DuplicateItemError,
    ForeignInteractionError,
    InteractionExpiredError,
    InvalidInputError,
    LimitExceededError,
    StoreUnavailableError,
    UnknownInteractionError,
)
from ctxasr.events import check_id, parse_envelope
from ctxasr.service.config import ServiceOptions, load_api_keys
from ctxasr.service.embeddings import ContextEncoder, EncoderError, SentenceEncoder
from ctxasr.service.metrics import ServiceMetrics
from ctxasr.service.window import ComputationWindow, ContextOutcome, TurnVector
from ctxasr.store import AppendResult, ContextStore, SqliteBackend, StoreOptions
from ctxasr.store.base import StoreBackend

logger = logging.getLogger(__name__)


@dataclass
class Services:
    options: ServiceOptions
    store: ContextStore  # events and encrypted payloads
    recognizer: Recognizer  # contextual Whisper
    encoder: ContextEncoder | None  # context embeddings (None: off)
    window: ComputationWindow  # background context builds
    keys: dict[str, str]  # API key -> tenant
    metrics: ServiceMetrics

    @classmethod
    def build(
        cls,
        options: ServiceOptions,
        recognizer: Recognizer | None = None,
        encoder: ContextEncoder | None = None,
        store: ContextStore | None = None,
    ) -> Services:
        metrics = ServiceMetrics()
        store = store or _store(options)
        store.start_sweeper()
        recognizer = recognizer or Recognizer(
            RecognizerOptions(engine=EngineOptions(model=options.model))
        )
        if encoder is None and options.encoder:
            encoder = _encoder(options.encoder)
        ranker = SemanticRanker(encoder) if options.semantic_selection and encoder else None
        window = ComputationWindow(
            store,
            recognizer.plan,
            encoder=encoder,
            ranker=ranker,
            workers=options.context_workers,
            on_build=metrics.on_build,
        )
        return cls(options, store, recognizer, encoder, window, load_api_keys(options), metrics)

    def warm_up(self) -> None:
        """Pay the first-call costs (pronunciation lexicon, model warm-up) before traffic.

        Measured: without it the first follow-up after start-up found its context not ready
        (the lexicon alone loads in about 0.9 s).
        """
        context = DialogueContext.from_json(
            {
                "turns": [{"role": "assistant", "text": "Do you mean Meg Jones or Meg Bauer?"}],
                "catalogs": {"contacts": ["Meg Jones", "Meg Bauer"]},
            }
        )
        plan = self.recognizer.plan(context)
        if self.encoder is not None:
            self.encoder.encode([t.text for t in context.turns])
        noise = np.random.default_rng(0).normal(0, 0.01, 16_000).astype(np.float32)
        self.recognizer.recognize(noise, plan)
        options = self.recognizer.options
        if options.trie is not None or options.bias.max_alternatives > 0:
            self._load_torch_decoder()  # noise may never reach the spell check

    def _load_torch_decoder(self) -> None:
        try:
            self.recognizer.engine.torch_decoder()
        except ModelError:
            if self.recognizer.options.trie is not None:
                raise  # token biasing was asked for and cannot run
            # The spell check is best effort: recognition runs without it.
            logger.warning("spell check off: the model's decoder cannot be read", exc_info=True)

    def close(self) -> None:
        self.window.close()
        self.store.close()


# Young generations as CPython's defaults; a full collection only every 100 second-generation
# ones instead of 10. Full collections walk every tracked object (catalog indexes, held plans):
# 12-200 ms each, about 14 per 100 bench interactions, and the ones that landed inside a context
# build set its p99.
GC_THRESHOLDS = (700, 10, 100)


MALLOC_ARENAS = 2  # glibc's default is 8 per core
_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Call first, before the models load (and start their threads).

    glibc gives threads their own malloc arenas, up to 8 per core; the service's threads
    (request pool, decoding workers, the scorer's and biased pass's helpers, torch's and
    CTranslate2's pools) each fragment one: peak resident memory in ``ctxasr bench service``
    was 1,581 MB with the default and 1,288-1,307 MB with 2 arenas (recognition p50 533 and
    553-561 ms, within the spread of runs). Returns whether the limit was set (False off
    glibc).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def prepare_heap() -> None:
    """Call once after start-up, before traffic.

    The models' millions of long-lived objects need no more cycle checks (freeze), and full
    collections come less often (``GC_THRESHOLDS``); memory freed by reference counting, which
    is nearly all of it, is unaffected.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _store(options: ServiceOptions) -> ContextStore:
    keyring = LocalFileKeyring(options.data_dir / "keys" / "ctxasr.keys")
    backend: StoreBackend
    if options.store == "sqlite":
        backend = SqliteBackend(options.data_dir / "ctxasr.sqlite3")
    else:
        from ctxasr.store.dynamodb import DynamoDbBackend, DynamoDbOptions  # noqa: PLC0415

        backend = DynamoDbBackend.connect(
            DynamoDbOptions(
                table_prefix=options.dynamodb_prefix,
                region=options.dynamodb_region,
                endpoint_url=options.dynamodb_endpoint,
            )
        )
    return ContextStore(backend, Envelope(keyring), StoreOptions(ttl_ms=options.ttl_ms))


def _encoder(name: str) -> ContextEncoder | None:
    try:
        return SentenceEncoder(name)
    except EncoderError:
        logger.warning("context embeddings are off: the encoder did not load", exc_info=True)
        return None


# -- errors ----------------------------------------------------------------------------------

_STATUS = [
    (UnknownInteractionError, 404),
    (ForeignInteractionError, 404),  # the same answer as unknown: nothing leaks
    (InteractionExpiredError, 410),
    (DuplicateItemError, 409),
    (LimitExceededError, 413),
    (AudioError, 415),
    (InvalidInputError, 400),
    (StoreUnavailableError, 503),
]


def _error_response(exc: CtxAsrError) -> JSONResponse:
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
    kind = "UnknownInteractionError" if isinstance(exc, ForeignInteractionError) else None
    message = "interaction is unknown or has expired" if kind else str(exc)
    body = {"error": {"type": kind or type(exc).__name__, "message": message}}
    return JSONResponse(body, status_code=status)


# -- the app ---------------------------------------------------------------------------------


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="ctxasr", version=__version__, description=__doc__)
    app.state.services = services

    @app.exception_handler(CtxAsrError)
    async def _handle(request: Request, exc: CtxAsrError) -> JSONResponse:
        if isinstance(exc, InvalidInputError):
            services.metrics.rejected.labels(type(exc).__name__).inc()
        return _error_response(exc)

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(request: Request, exc: _Unauthorized) -> JSONResponse:
        body = {"error": {"type": "Unauthorized", "message": "a valid API key is required"}}
        return JSONResponse(body, status_code=401)

    _routes(app, services)
    return app


class _Unauthorized(Exception):
    pass


def _tenant(
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The tenant whose API key the request carries."""
    keys: dict[str, str] = request.app.state.services.keys
    key = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
    for known, owner in keys.items():
        if key and hmac.compare_digest(known.encode(), key.encode()):
            return owner
    raise _Unauthorized


Tenant = Annotated[str, Depends(_tenant)]


def _routes(app: FastAPI, services: Services) -> None:
    _operations_routes(app, services)
    _device_routes(app, services)


def _operations_routes(app: FastAPI, services: Services) -> None:
    """Liveness and Prometheus metrics: no key needed, no tenant's data."""

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "model": services.recognizer.engine.name}

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(services.metrics.render(), media_type="text/plain; version=0.0.4")


def _device_routes(app: FastAPI, services: Services) -> None:
    """A device's events, follow-up audio, turn vectors and erasure, for one tenant's key."""
    options = services.options

    @app.post("/v1/devices/{device_id}/events")
    async def post_event(device_id: str, request: Request, tenant: Tenant) -> dict[str, Any]:
        check_id(device_id, "device id")
        body = await _read_limited(request, options.max_event_bytes)
        event = parse_envelope(body)
        result = await run_in_threadpool(services.store.record, tenant, device_id, event)
        services.metrics.events.labels(event.name).inc()
        if result.decision.build:
            deadline_ms = result.decision.deadline_ms
            services.window.open(tenant, device_id, event.interaction_id, deadline_ms)
        return _event_reply(result)

    @app.post("/v1/devices/{device_id}/recognize")
    async def recognize(
        device_id: str,
        request: Request,
        tenant: Tenant,
        interaction_id: Annotated[str | None, Query()] = None,
        pcm_rate: Annotated[int | None, Query(ge=4000, le=192000)] = None,
    ) -> dict[str, Any]:
        check_id(device_id, "device id")
        if interaction_id is not None:  # a named interaction must exist for this device
            await run_in_threadpool(services.store.status, tenant, device_id, interaction_id)
        body = await _read_limited(request, options.max_upload_bytes)
        audio = await run_in_threadpool(load_audio, body, pcm_rate)
        started = time.perf_counter()
        outcome = await run_in_threadpool(
            services.window.take, tenant, device_id, interaction_id, options.grace_ms
        )
        recognition = await run_in_threadpool(services.recognizer.recognize, audio, outcome.plan)
        services.metrics.recognize_seconds.observe(time.perf_counter() - started)
        services.metrics.recognitions.labels("used" if outcome.plan else "none").inc()
        return _recognition_reply(recognition, outcome)

    @app.get("/v1/devices/{device_id}/context/embeddings")
    def embeddings(
        device_id: str, tenant: Tenant, k: Annotated[int, Query(ge=1, le=64)] = 6
    ) -> dict[str, Any]:
        check_id(device_id, "device id")
        services.window.settle(tenant, device_id, options.grace_ms)  # a build may be under way
        turns = services.window.turn_vectors(tenant, device_id, k)
        return _embeddings_reply(services.encoder, turns)

    @app.delete("/v1/devices/{device_id}")
    async def erase(device_id: str, tenant: Tenant) -> dict[str, Any]:
        check_id(device_id, "device id")
        deleted = await run_in_threadpool(services.store.erase_device, tenant, device_id)
        services.window.forget(tenant, device_id)
        return {"deleted_entries": deleted}


def _event_reply(result: AppendResult) -> dict[str, Any]:
    """The updated status entry's events and the trigger's decision on them."""
    decision = result.decision
    return {
        "interaction_id": result.status.interaction_id,
        "events": [e.name for e in result.status.events],
        "decision": decision.action.value,
        "reason": decision.reason,
        "deadline_ms": decision.deadline_ms,
    }


def _recognition_reply(recognition: Recognition, outcome: ContextOutcome) -> dict[str, Any]:
    """The recognition, and whether the computation window had its context ready."""
    return {
        **recognition.to_json(),
        "context": {
            "ready": outcome.ready,
            "used": outcome.plan is not None,
            "reason": outcome.reason,
            "interaction_id": outcome.interaction_id,
            "margin_ms": outcome.margin_ms,
            "build_ms": outcome.build_ms,
        },
    }


def _embeddings_reply(encoder: ContextEncoder | None, turns: list[TurnVector]) -> dict[str, Any]:
    return {
        "model": encoder.name if encoder else None,
        "dimension": encoder.dimension if encoder else None,
        "turns": [
            {"role": t.role, "at_ms": t.at_ms, "vector": [round(float(x), 6) for x in t.vector]}
            for t in turns
        ],
    }


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise LimitExceededError(f"request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceededError(f"request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
