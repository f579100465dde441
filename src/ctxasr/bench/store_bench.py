"""``ctxasr bench store``: the two-table design against the single-table design the seed rejected.

Both designs replay the same seeded synthetic traffic, interaction by interaction, in one run:
most interactions never re-open the microphone (as in real traffic). The single-table design
keeps all of an interaction's content in one encrypted entry, so every update decrypts and
re-encrypts it; the two-table design encrypts each item once and decrypts only on a follow-up.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from ctxasr.clock import SystemClock
from ctxasr.crypto import Envelope, Keyring, KmsKeyring, SealedBox, StaticKeyring
from ctxasr.errors import ConfigError
from ctxasr.events import (
    CONTEXT_CATALOG,
    EXPECT_SPEECH,
    RECOGNIZE,
    SPEAK,
    DialogueEvent,
    Header,
    ItemKind,
    Payload,
)
from ctxasr.store import ContextStore, EventRecord, SqliteBackend, StatusEntry, decide
from ctxasr.store.base import StoreBackend

TENANT = "bench-tenant"
_FIRST = ["Meg", "Liam", "Ana", "Kofi", "Siobhan", "Ravi", "Yuki", "Omar", "Lena", "Tariq"]
_LAST = ["Jones", "Bauer", "Okafor", "Novak", "Haddad", "Ito", "Moreau", "Silva", "Kowalski"]


@dataclass(frozen=True)
class StoreBenchOptions:
    backend: str = "sqlite"  # "sqlite" or "dynamodb"
    interactions: int = 1_000
    followup_rate: float = 0.1  # share of interactions whose microphone re-opens
    catalog_rate: float = 0.5  # share that receive a catalog signal from another service
    catalog_entries: int = 200  # entries per catalog signal
    seed: int = 7
    endpoint_url: str | None = None  # DynamoDB endpoint; None starts a local server
    # "local": key file in memory; "kms": every wrap/unwrap is a KMS call over HTTP, as in
    # production (kms_endpoint_url, or a local moto server when None).
    keyring: str = "local"
    kms_endpoint_url: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in {"sqlite", "dynamodb"}:
            raise ConfigError("backend must be 'sqlite' or 'dynamodb'")
        if self.keyring not in {"local", "kms"}:
            raise ConfigError("keyring must be 'local' or 'kms'")
        if self.interactions < 1 or self.catalog_entries < 1:
            raise ConfigError("interactions and catalog_entries must be positive")
        if not (0 <= self.followup_rate <= 1 and 0 <= self.catalog_rate <= 1):
            raise ConfigError("rates must lie in [0, 1]")


@dataclass(frozen=True)
class DesignFigures:
    events_per_s: float
    append_p50_ms: float
    append_p99_ms: float
    crypto_ops_per_interaction: float  # items sealed + items opened
    crypto_kib_per_interaction: float  # plaintext KiB through AES-GCM


@dataclass(frozen=True)
class StoreBenchResult:
    options: StoreBenchOptions
    events: int
    context_builds: int
    two_table: DesignFigures
    single_table: DesignFigures
    decrypts_without_followup: int  # two-table decryptions in interactions with no follow-up

    def to_json(self) -> dict[str, Any]:
        two, one = self.two_table, self.single_table
        return {
            "backend": self.options.backend,
            "keyring": self.options.keyring,
            "interactions": self.options.interactions,
            "followup_rate": self.options.followup_rate,
            "events": self.events,
            "context_builds": self.context_builds,
            **asdict(two),
            **{f"single_table_{k}": v for k, v in asdict(one).items()},
            "decrypts_without_followup": self.decrypts_without_followup,
            "crypto_ops_ratio": _ratio(
                one.crypto_ops_per_interaction, two.crypto_ops_per_interaction
            ),
            "crypto_bytes_ratio": _ratio(
                one.crypto_kib_per_interaction, two.crypto_kib_per_interaction
            ),
            "events_per_s_ratio": _ratio(two.events_per_s, one.events_per_s),
            "append_p99_ratio": _ratio(one.append_p99_ms, two.append_p99_ms),
        }


def run_store_bench(options: StoreBenchOptions) -> StoreBenchResult:
    """Replay the traffic on both designs, alternating per interaction."""
    traffic = list(_traffic(options))
    with ExitStack() as stack:
        keyring = stack.enter_context(_keyring(options))
        two_backend, single = stack.enter_context(_backends(options, Envelope(keyring)))
        two = ContextStore(two_backend, Envelope(keyring))
        stack.callback(two.close)
        two_run, one_run = _Run(), _Run()
        for device, events, followup in traffic:
            before = two.envelope.counters.decrypts
            two_run.replay(lambda e, d=device: _two_table_step(two, d, e), events)
            one_run.replay(lambda e, d=device: _single_table_step(single, d, e), events)
            if not followup:
                two_run.stray_decrypts += two.envelope.counters.decrypts - before
        return StoreBenchResult(
            options=options,
            events=sum(len(events) for _, events, _ in traffic),
            context_builds=two_run.builds,
            two_table=two_run.figures(two.envelope, len(traffic)),
            single_table=one_run.figures(single.envelope, len(traffic)),
            decrypts_without_followup=two_run.stray_decrypts,
        )


class _Run:
    """Latencies and counts of one design over the whole replay."""

    def __init__(self) -> None:
        self.append_ns: list[int] = []
        self.total_ns = 0
        self.builds = 0
        self.stray_decrypts = 0

    def replay(self, step: Any, events: list[DialogueEvent]) -> None:
        for event in events:
            start = time.perf_counter_ns()
            built = step(event)
            self.total_ns += time.perf_counter_ns() - start
            self.append_ns.append(built[1])
            self.builds += built[0]

    def figures(self, envelope: Envelope, interactions: int) -> DesignFigures:
        cuts = statistics.quantiles(self.append_ns, n=100, method="inclusive")
        counters = envelope.counters
        return DesignFigures(
            events_per_s=round(len(self.append_ns) / (self.total_ns / 1e9), 1),
            append_p50_ms=round(statistics.median(self.append_ns) / 1e6, 3),
            append_p99_ms=round(cuts[98] / 1e6, 3),
            crypto_ops_per_interaction=round(counters.total / interactions, 3),
            crypto_kib_per_interaction=round(counters.bytes / 1024 / interactions, 2),
        )


def _two_table_step(store: ContextStore, device: str, event: DialogueEvent) -> tuple[int, int]:
    start = time.perf_counter_ns()
    result = store.record(TENANT, device, event)
    append_ns = time.perf_counter_ns() - start
    if result.decision.build:
        store.load_context(TENANT, device, event.interaction_id)
        return 1, append_ns
    return 0, append_ns


def _single_table_step(
    store: SingleTableStore, device: str, event: DialogueEvent
) -> tuple[int, int]:
    start = time.perf_counter_ns()
    status = store.record(device, event)
    append_ns = time.perf_counter_ns() - start
    if decide(status).build:
        store.load(event.interaction_id)
        return 1, append_ns
    return 0, append_ns


# -- the rejected design -------------------------------------------------------------------


class _BlobTable(Protocol):
    """Role: keep one sealed document per interaction (the single-table design's storage)."""

    @contextmanager
    def locked(self, interaction_id: str) -> Iterator[tuple[SealedBox | None, Any]]: ...

    def write(self, interaction_id: str, box: SealedBox, token: Any) -> None: ...


class SingleTableStore:
    """All of an interaction in one encrypted entry: every update decrypts and re-encrypts."""

    def __init__(self, table: _BlobTable, envelope: Envelope) -> None:
        self.table = table
        self.envelope = envelope
        self.clock = SystemClock()

    def record(self, device_id: str, event: DialogueEvent) -> StatusEntry:
        iid = event.interaction_id
        context = {"tenant": TENANT, "interaction": iid}
        now_ms = self.clock.now_ms()
        with self.table.locked(iid) as (box, token):
            doc: dict[str, Any] = {"events": [], "items": {}, "created_at_ms": now_ms}
            if box is not None:
                doc = json.loads(self.envelope.open(box, context))
            item_id = None
            if event.payload is not None:
                item_id = f"{event.payload.kind.value}:{event.header.message_id}"
                doc["items"][item_id] = json.loads(event.payload.to_json_bytes())
            doc["events"].append(EventRecord(now_ms, event.name, item_id, event.arg_ms).encode())
            self.table.write(iid, self.envelope.seal(json.dumps(doc).encode(), context), token)
        events = tuple(EventRecord.decode(text) for text in doc["events"])
        created = doc["created_at_ms"]
        return StatusEntry(TENANT, iid, device_id, created, created + 600_000, events)

    def load(self, interaction_id: str) -> None:
        with self.table.locked(interaction_id) as (box, _):
            if box is not None:
                self.envelope.open(box, {"tenant": TENANT, "interaction": interaction_id})


class _SqliteBlobTable:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS single (interaction_id TEXT PRIMARY KEY, key_id TEXT,"
            " wrapped_key BLOB, nonce BLOB, ciphertext BLOB) WITHOUT ROWID"
        )

    @contextmanager
    def locked(self, interaction_id: str) -> Iterator[tuple[SealedBox | None, Any]]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            row = self.conn.execute(
                "SELECT key_id, wrapped_key, nonce, ciphertext FROM single"
                " WHERE interaction_id = ?",
                (interaction_id,),
            ).fetchone()
            yield (SealedBox(*row) if row else None), None
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def write(self, interaction_id: str, box: SealedBox, token: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO single VALUES (?, ?, ?, ?, ?)",
            (interaction_id, box.key_id, box.wrapped_key, box.nonce, box.ciphertext),
        )


class _DynamoBlobTable:
    """Optimistic locking on a version number: the usual read-modify-write on DynamoDB."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name
        client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "interaction_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "interaction_id", "KeyType": "HASH"}],
        )
        while client.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)

    @contextmanager
    def locked(self, interaction_id: str) -> Iterator[tuple[SealedBox | None, Any]]:
        raw = self.client.get_item(
            TableName=self.name, Key={"interaction_id": {"S": interaction_id}}, ConsistentRead=True
        ).get("Item")
        if raw is None:
            yield None, 0
            return
        box = SealedBox(
            raw["key_id"]["S"], raw["wrapped_key"]["B"], raw["nonce"]["B"], raw["ciphertext"]["B"]
        )
        yield box, int(raw["version"]["N"])

    def write(self, interaction_id: str, box: SealedBox, token: Any) -> None:
        self.client.put_item(
            TableName=self.name,
            Item={
                "interaction_id": {"S": interaction_id},
                "key_id": {"S": box.key_id},
                "wrapped_key": {"B": box.wrapped_key},
                "nonce": {"B": box.nonce},
                "ciphertext": {"B": box.ciphertext},
                "version": {"N": str(token + 1)},
            },
            ConditionExpression="attribute_not_exists(version) OR version = :v",
            ExpressionAttributeValues={":v": {"N": str(token)}},
        )


@contextmanager
def _keyring(options: StoreBenchOptions) -> Iterator[Keyring]:
    if options.keyring == "local":
        yield StaticKeyring()
        return
    import boto3  # noqa: PLC0415

    from ctxasr.bench.local_server import free_port, moto_command, serve  # noqa: PLC0415

    with ExitStack() as stack:
        url = options.kms_endpoint_url
        key_id, secret = None, None
        if url is None:  # a throwaway local server accepts any credentials
            port = free_port()
            url = stack.enter_context(serve(moto_command(port), port))
            key_id, secret = "local", "local"
        client = boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
        kek = client.create_key(Description="ctxasr bench")["KeyMetadata"]["KeyId"]
        yield KmsKeyring(kek, client)


@contextmanager
def _backends(
    options: StoreBenchOptions, envelope: Envelope
) -> Iterator[tuple[StoreBackend, SingleTableStore]]:
    if options.backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ctxasr-bench-") as folder:
            two = SqliteBackend(Path(folder) / "two.sqlite3")
            yield two, SingleTableStore(_SqliteBlobTable(Path(folder) / "one.sqlite3"), envelope)
        return
    import boto3  # noqa: PLC0415  (slow import, only for this backend)

    from ctxasr.bench.local_server import local_dynamodb  # noqa: PLC0415
    from ctxasr.store.dynamodb import DynamoDbBackend, DynamoDbOptions  # noqa: PLC0415

    with ExitStack() as stack:
        if options.endpoint_url:
            client = boto3.client("dynamodb", endpoint_url=options.endpoint_url)
            url = options.endpoint_url
        else:  # a throwaway local server accepts any credentials
            url = stack.enter_context(local_dynamodb())
            client = boto3.client(
                "dynamodb",
                region_name="us-east-1",
                endpoint_url=url,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        prefix = f"bench{random.Random().randrange(10**8)}"
        two_db = DynamoDbBackend(client, DynamoDbOptions(table_prefix=prefix, endpoint_url=url))
        yield two_db, SingleTableStore(_DynamoBlobTable(client, f"{prefix}-single"), envelope)


def _traffic(options: StoreBenchOptions) -> Iterator[tuple[str, list[DialogueEvent], bool]]:
    """Seeded synthetic interactions: (device, events, whether the microphone re-opens)."""
    rng = random.Random(options.seed)
    for index in range(options.interactions):
        iid, device = f"dr-{index:06d}", f"device-{rng.randrange(50)}"
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        events = [_event(iid, RECOGNIZE, Payload(ItemKind.UTTERANCE, "user", f"Call {name}."))]
        if rng.random() < options.catalog_rate:
            entries = tuple(
                f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {n}"
                for n in range(options.catalog_entries)
            )
            events.append(
                _event(iid, CONTEXT_CATALOG, Payload(ItemKind.CATALOG, "contacts", entries=entries))
            )
        followup = rng.random() < options.followup_rate
        reply = f"Do you mean {name} or {rng.choice(_FIRST)}?" if followup else "Calling."
        events.append(_event(iid, SPEAK, Payload(ItemKind.REPLY, "assistant", reply), 1800))
        events.append(_event(iid, "SpeechSynthesizer.SpeechStarted"))
        if followup:
            events.append(_event(iid, EXPECT_SPEECH, arg_ms=8000))
        events.append(_event(iid, "SpeechSynthesizer.SpeechFinished"))
        yield device, events, followup


def _event(
    iid: str, name: str, payload: Payload | None = None, arg_ms: int | None = None
) -> DialogueEvent:
    namespace, short = name.split(".")
    header = Header(namespace, short, f"{iid}-{name}", iid)
    return DialogueEvent(header, arg_ms=arg_ms, payload=payload)


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator else None


def format_table(result: StoreBenchResult) -> str:
    """A human-readable side-by-side table."""
    two, one = result.two_table, result.single_table
    rows = [
        ("events/s", two.events_per_s, one.events_per_s),
        ("append p50 (ms)", two.append_p50_ms, one.append_p50_ms),
        ("append p99 (ms)", two.append_p99_ms, one.append_p99_ms),
        (
            "crypto ops / interaction",
            two.crypto_ops_per_interaction,
            one.crypto_ops_per_interaction,
        ),
        (
            "crypto KiB / interaction",
            two.crypto_kib_per_interaction,
            one.crypto_kib_per_interaction,
        ),
    ]
    opts = result.options
    lines = [
        f"backend={opts.backend} keyring={opts.keyring} interactions={opts.interactions}"
        f" events={result.events}"
        f" follow-ups={result.context_builds} (rate {opts.followup_rate})",
        f"{'':28}{'two-table':>12}{'single-table':>14}{'ratio':>8}",
    ]
    for label, a, b in rows:
        ratio = _ratio(max(a, b), min(a, b)) if min(a, b) else None
        lines.append(f"{label:28}{a:>12}{b:>14}{ratio if ratio else '-':>8}")
    lines.append(f"decryptions without a follow-up (two-table): {result.decrypts_without_followup}")
    return "\n".join(lines)
