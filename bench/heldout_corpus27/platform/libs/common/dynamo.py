"""DynamoDB helpers shared by the services.

Table names follow ``<stage>-<logical name>`` unless an explicit
``<LOGICAL>_TABLE`` environment variable is set (serverless.yml does that).
"""
from __future__ import annotations

import base64
import json
import os
import time
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterator

import boto3
from boto3.dynamodb.conditions import ConditionBase
from botocore.config import Config

STAGE = os.getenv("STAGE", "dev")


@lru_cache(maxsize=1)
def resource():
    return boto3.resource(
        "dynamodb",
        region_name=os.getenv("AWS_REGION", "europe-west1"),
        endpoint_url=os.getenv("AWS_ENDPOINT_URL_DYNAMODB"),
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


def table_name(logical: str) -> str:
    return os.getenv(f"{logical.upper()}_TABLE", f"{STAGE}-{logical}")


@lru_cache(maxsize=None)
def table(logical: str):
    return resource().Table(table_name(logical))


def transact(items: list[dict[str, Any]]) -> None:
    """Run a write transaction through the resource's client (plain values)."""
    resource().meta.client.transact_write_items(TransactItems=items)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def epoch() -> int:
    return int(time.time())



def set_clause(changes: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Build ``SET #a = :a, #b = :b`` with every attribute aliased."""
    parts, names, values = [], {}, {}
    for key, value in changes.items():
        names[f"#{key}"] = key
        values[f":{key}"] = value
        parts.append(f"#{key} = :{key}")
    return "SET " + ", ".join(parts), names, values


def query_all(tbl, **kwargs) -> Iterator[dict[str, Any]]:
    while True:
        page = tbl.query(**kwargs)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def scan_all(tbl, filter_expression: ConditionBase | None = None) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {}
    if filter_expression is not None:
        kwargs["FilterExpression"] = filter_expression
    while True:
        page = tbl.scan(**kwargs)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
