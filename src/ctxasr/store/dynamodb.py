"""DynamoDB backend: two on-demand tables, for deployments that outgrow one machine.

* ``{prefix}-status``: one entry per interaction (hash ``tenant_id``, range ``interaction_id``),
  a list of short event strings; GSI ``by-device`` (``device_key``, ``created_at_ms``).
* ``{prefix}-items``: one entry per payload item (hash ``ikey`` = tenant#interaction, range
  ``item_id``), sealed; GSI ``by-owner`` (``tenant_id``, ``device_id``) for erasure.

An append writes the item first (``attribute_not_exists``: written once), then updates the status
with a conditional ``UpdateItem`` returning ``ALL_NEW``, so the caller decides on the updated
entry without a second, possibly stale, read. If the status update is refused, the item is
deleted again, so nothing is left half-written. Both tables carry the TTL attribute
``expires_at`` (epoch seconds); reads also filter on ``expires_at_ms`` because DynamoDB deletes
expired entries lazily, up to days later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ctxasr.crypto import SealedBox
from ctxasr.errors import DuplicateItemError, StoreUnavailableError
from ctxasr.events import ItemKind
from ctxasr.store.base import refusal
from ctxasr.store.model import (
    AppendRequest,
    EventRecord,
    InteractionKey,
    StatusEntry,
    StoredItem,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

TTL_ATTRIBUTE = "expires_at"
_CONDITION_FAILED = "ConditionalCheckFailedException"
_BATCH_WRITE_MAX = 25  # DynamoDB's limit per BatchWriteItem

_UPDATE = (
    "SET #ev = list_append(if_not_exists(#ev, :empty), :ev),"
    " #ic = if_not_exists(#ic, :zero) + :inc,"
    " #dev = if_not_exists(#dev, :dev), #dkey = if_not_exists(#dkey, :dkey),"
    " #cat = if_not_exists(#cat, :now), #exp = if_not_exists(#exp, :exp),"
    " #ttl = if_not_exists(#ttl, :exp_s)"
)
_GUARD = "#dev = :dev AND #exp > :now AND size(#ev) < :max_events AND #ic <= :max_items_before"
_NAMES = {
    "#ev": "events",
    "#ic": "item_count",
    "#dev": "device_id",
    "#dkey": "device_key",
    "#cat": "created_at_ms",
    "#exp": "expires_at_ms",
    "#ttl": TTL_ATTRIBUTE,
    "#tid": "tenant_id",
}


@dataclass(frozen=True)
class DynamoDbOptions:
    """Where the tables live."""

    table_prefix: str = "ctxasr"
    region: str = "us-east-1"
    endpoint_url: str | None = None  # a DynamoDB-compatible server (tests, local development)
    create_tables: bool = True  # create missing tables (on-demand, with TTL) at start


class DynamoDbBackend:
    """Context store tables in DynamoDB, through a thread-safe low-level boto3 client."""

    def __init__(self, client: DynamoDBClient, options: DynamoDbOptions | None = None) -> None:
        self.options = options or DynamoDbOptions()
        self._client = client
        self.status_table = f"{self.options.table_prefix}-status"
        self.items_table = f"{self.options.table_prefix}-items"
        if self.options.create_tables:
            with _errors():
                self._ensure_tables()

    @classmethod
    def connect(cls, options: DynamoDbOptions) -> DynamoDbBackend:
        import boto3  # noqa: PLC0415  (boto3 is slow to import; only this backend needs it)

        client = boto3.client(
            "dynamodb", region_name=options.region, endpoint_url=options.endpoint_url
        )
        return cls(client, options)

    # -- the contract --------------------------------------------------------------------

    def append(self, request: AppendRequest) -> StatusEntry:
        if request.item is not None:
            self._put_item(request.item)
        try:
            with _errors():
                reply = self._update_status(request)
        except _Refused:
            if request.item is not None:
                self._delete_item(request.item)  # compensate: nothing half-written
            existing = self._read_status(request.key)
            raise refusal(existing, request) or StoreUnavailableError("append refused") from None
        except BaseException:
            if request.item is not None:
                self._delete_item(request.item)
            raise
        return _status_from_item(reply["Attributes"])

    def get_status(self, key: InteractionKey, now_ms: int) -> StatusEntry | None:
        entry = self._read_status(key)
        return None if entry is None or entry.expired(now_ms) else entry

    def get_items(
        self, key: InteractionKey, item_ids: tuple[str, ...], now_ms: int
    ) -> list[StoredItem]:
        wanted = set(item_ids)
        if not wanted:
            return []
        found = []
        for raw in self._query(
            TableName=self.items_table,
            KeyConditionExpression="ikey = :k",
            ExpressionAttributeValues={":k": {"S": _ikey(key)}},
            ConsistentRead=True,
        ):
            item = _item_from_raw(raw)
            if item.item_id in wanted and now_ms < item.expires_at_ms:
                found.append(item)
        return found

    def list_interactions(
        self, tenant_id: str, device_id: str, now_ms: int, limit: int
    ) -> list[StatusEntry]:
        entries: list[StatusEntry] = []
        for raw in self._query(
            TableName=self.status_table,
            IndexName="by-device",
            KeyConditionExpression="device_key = :k",
            ExpressionAttributeValues={":k": {"S": f"{tenant_id}#{device_id}"}},
            ScanIndexForward=False,
        ):
            entry = _status_from_item(raw)
            if not entry.expired(now_ms):
                entries.append(entry)
            if len(entries) >= limit:
                break
        return entries

    def erase_device(self, tenant_id: str, device_id: str) -> int:
        status_keys = [
            {"tenant_id": raw["tenant_id"], "interaction_id": raw["interaction_id"]}
            for raw in self._query(
                TableName=self.status_table,
                IndexName="by-device",
                KeyConditionExpression="device_key = :k",
                ExpressionAttributeValues={":k": {"S": f"{tenant_id}#{device_id}"}},
            )
        ]
        item_keys = self._owned_item_keys(
            "tenant_id = :t AND device_id = :d", {":t": {"S": tenant_id}, ":d": {"S": device_id}}
        )
        item_keys |= self._item_keys_of(tenant_id, status_keys)
        return self._delete_all(self.items_table, item_keys) + self._delete_all(
            self.status_table, {_frozen(k) for k in status_keys}
        )

    def erase_tenant(self, tenant_id: str) -> int:
        status_keys = [
            {"tenant_id": raw["tenant_id"], "interaction_id": raw["interaction_id"]}
            for raw in self._query(
                TableName=self.status_table,
                KeyConditionExpression="tenant_id = :t",
                ExpressionAttributeValues={":t": {"S": tenant_id}},
                ConsistentRead=True,
            )
        ]
        item_keys = self._owned_item_keys("tenant_id = :t", {":t": {"S": tenant_id}})
        item_keys |= self._item_keys_of(tenant_id, status_keys)
        return self._delete_all(self.items_table, item_keys) + self._delete_all(
            self.status_table, {_frozen(k) for k in status_keys}
        )

    def sweep(self, now_ms: int) -> int:
        return 0  # DynamoDB's TTL deletes expired entries; reads already skip them

    def close(self) -> None:
        self._client.close()

    # -- helpers ---------------------------------------------------------------------------

    def _update_status(self, request: AppendRequest) -> Any:
        values: dict[str, Any] = {
            ":empty": {"L": []},
            ":ev": {"L": [{"S": request.record.encode()}]},
            ":zero": {"N": "0"},
            ":inc": {"N": str(request.item_increment)},
            ":dev": {"S": request.device_id},
            ":dkey": {"S": f"{request.key.tenant_id}#{request.device_id}"},
            ":now": {"N": str(request.now_ms)},
            ":exp": {"N": str(request.expires_at_ms)},
            ":exp_s": {"N": str(request.expires_at_ms // 1000 + 1)},
            ":max_events": {"N": str(request.limits.max_events_per_interaction)},
            ":max_items_before": {
                "N": str(request.limits.max_items_per_interaction - request.item_increment)
            },
        }
        if request.may_create:
            condition = f"attribute_not_exists(#tid) OR ({_GUARD})"
        else:
            condition = f"attribute_exists(#tid) AND {_GUARD}"
        try:
            return self._client.update_item(
                TableName=self.status_table,
                Key=_status_key(request.key),
                UpdateExpression=_UPDATE,
                ConditionExpression=condition,
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                raise _Refused from exc
            raise

    def _put_item(self, item: StoredItem) -> None:
        try:
            with _errors():
                self._client.put_item(
                    TableName=self.items_table,
                    Item=_item_to_raw(item),
                    ConditionExpression="attribute_not_exists(ikey)",
                )
        except _Refused as exc:
            raise DuplicateItemError(f"item {item.item_id!r} already exists") from exc

    def _delete_item(self, item: StoredItem) -> None:
        with _errors():
            self._client.delete_item(
                TableName=self.items_table,
                Key={"ikey": {"S": _ikey(item.key)}, "item_id": {"S": item.item_id}},
            )

    def _read_status(self, key: InteractionKey) -> StatusEntry | None:
        with _errors():
            reply = self._client.get_item(
                TableName=self.status_table, Key=_status_key(key), ConsistentRead=True
            )
        raw = reply.get("Item")
        return None if raw is None else _status_from_item(raw)

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        with _errors():
            paginator = self._client.get_paginator("query")
            for page in paginator.paginate(**kwargs):
                yield from page.get("Items", [])

    def _owned_item_keys(
        self, condition: str, values: dict[str, Any]
    ) -> set[frozenset[tuple[str, str]]]:
        return {
            _frozen({"ikey": raw["ikey"], "item_id": raw["item_id"]})
            for raw in self._query(
                TableName=self.items_table,
                IndexName="by-owner",
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        }

    def _item_keys_of(
        self, tenant_id: str, status_keys: list[dict[str, Any]]
    ) -> set[frozenset[tuple[str, str]]]:
        """Items of the given interactions, read consistently (the GSI may lag a new write)."""
        keys = set()
        for status_key in status_keys:
            key = InteractionKey(tenant_id, status_key["interaction_id"]["S"])
            for raw in self._query(
                TableName=self.items_table,
                KeyConditionExpression="ikey = :k",
                ExpressionAttributeValues={":k": {"S": _ikey(key)}},
                ProjectionExpression="ikey, item_id",
                ConsistentRead=True,
            ):
                keys.add(_frozen({"ikey": raw["ikey"], "item_id": raw["item_id"]}))
        return keys

    def _delete_all(self, table: str, keys: set[frozenset[tuple[str, str]]]) -> int:
        requests = [{"DeleteRequest": {"Key": _thawed(key)}} for key in keys]
        for start in range(0, len(requests), _BATCH_WRITE_MAX):
            pending: dict[str, Any] = {table: requests[start : start + _BATCH_WRITE_MAX]}
            while pending:
                with _errors():
                    reply = self._client.batch_write_item(RequestItems=pending)
                pending = reply.get("UnprocessedItems") or {}
        return len(requests)

    def _ensure_tables(self) -> None:
        existing = set(self._client.list_tables().get("TableNames", []))
        if self.status_table not in existing:
            self._create_table(
                self.status_table,
                keys=(("tenant_id", "S"), ("interaction_id", "S")),
                index=("by-device", ("device_key", "S"), ("created_at_ms", "N"), "ALL"),
            )
        if self.items_table not in existing:
            self._create_table(
                self.items_table,
                keys=(("ikey", "S"), ("item_id", "S")),
                index=("by-owner", ("tenant_id", "S"), ("device_id", "S"), "KEYS_ONLY"),
            )

    def _create_table(
        self,
        name: str,
        keys: tuple[tuple[str, str], tuple[str, str]],
        index: tuple[str, tuple[str, str], tuple[str, str], str],
    ) -> None:
        index_name, index_hash, index_range, projection = index
        attributes = dict((*keys, index_hash, index_range))
        gsi: Any = {
            "IndexName": index_name,
            "KeySchema": [
                {"AttributeName": index_hash[0], "KeyType": "HASH"},
                {"AttributeName": index_range[0], "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": projection},
        }
        definitions: Any = [
            {"AttributeName": attr, "AttributeType": kind} for attr, kind in attributes.items()
        ]
        self._client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=definitions,
            KeySchema=[
                {"AttributeName": keys[0][0], "KeyType": "HASH"},
                {"AttributeName": keys[1][0], "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[gsi],
        )
        self._wait_active(name)
        try:
            self._client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )
        except ClientError as exc:  # some local emulators (dynalite) have no TTL API
            logger.warning(
                "table %s: TTL could not be enabled (%s); expired entries are hidden on read"
                " but never deleted",
                name,
                exc.response.get("Error", {}).get("Code"),
            )
        logger.info("created DynamoDB table %s (on-demand, TTL on %s)", name, TTL_ATTRIBUTE)

    def _wait_active(self, name: str, timeout_s: float = 60.0) -> None:
        # botocore's table_exists waiter sleeps 20 s per poll; new tables are usually ready
        # within a second, so poll briefly instead.
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self._client.describe_table(TableName=name)["Table"].get("TableStatus")
            if status == "ACTIVE":
                return
            time.sleep(0.05)
        raise StoreUnavailableError(f"DynamoDB table {name} did not become ACTIVE")


class _Refused(Exception):
    """A conditional write's condition did not hold."""


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
            raise _Refused from exc
        raise StoreUnavailableError(f"DynamoDB request failed: {exc}") from exc
    except BotoCoreError as exc:
        raise StoreUnavailableError(f"DynamoDB unreachable: {exc}") from exc


def _ikey(key: InteractionKey) -> str:
    return f"{key.tenant_id}#{key.interaction_id}"  # ids cannot contain '#'


def _status_key(key: InteractionKey) -> dict[str, Any]:
    return {"tenant_id": {"S": key.tenant_id}, "interaction_id": {"S": key.interaction_id}}


def _frozen(key: dict[str, Any]) -> frozenset[tuple[str, str]]:
    return frozenset((name, value["S"]) for name, value in key.items())


def _thawed(key: frozenset[tuple[str, str]]) -> dict[str, Any]:
    return {name: {"S": value} for name, value in key}


def _status_from_item(raw: dict[str, Any]) -> StatusEntry:
    return StatusEntry(
        tenant_id=raw["tenant_id"]["S"],
        interaction_id=raw["interaction_id"]["S"],
        device_id=raw["device_id"]["S"],
        created_at_ms=int(raw["created_at_ms"]["N"]),
        expires_at_ms=int(raw["expires_at_ms"]["N"]),
        events=tuple(EventRecord.decode(v["S"]) for v in raw["events"]["L"]),
    )


def _item_to_raw(item: StoredItem) -> dict[str, Any]:
    return {
        "ikey": {"S": _ikey(item.key)},
        "item_id": {"S": item.item_id},
        "tenant_id": {"S": item.key.tenant_id},
        "device_id": {"S": item.device_id},
        "kind": {"S": item.kind.value},
        "key_id": {"S": item.box.key_id},
        "wrapped_key": {"B": item.box.wrapped_key},
        "nonce": {"B": item.box.nonce},
        "ciphertext": {"B": item.box.ciphertext},
        "expires_at_ms": {"N": str(item.expires_at_ms)},
        TTL_ATTRIBUTE: {"N": str(item.expires_at_ms // 1000 + 1)},
    }


def _item_from_raw(raw: dict[str, Any]) -> StoredItem:
    tenant_id, interaction_id = raw["ikey"]["S"].split("#", 1)
    return StoredItem(
        key=InteractionKey(tenant_id, interaction_id),
        device_id=raw["device_id"]["S"],
        item_id=raw["item_id"]["S"],
        kind=ItemKind(raw["kind"]["S"]),
        box=SealedBox(
            raw["key_id"]["S"],
            bytes(raw["wrapped_key"]["B"]),
            bytes(raw["nonce"]["B"]),
            bytes(raw["ciphertext"]["B"]),
        ),
        expires_at_ms=int(raw["expires_at_ms"]["N"]),
    )
