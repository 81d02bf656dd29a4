"""aioboto3 resource lifecycle.

One DynamoDB service resource is opened when the app starts and closed when it
stops; the Table handles hang off ``app.state.tables`` for the dependencies.
"""
from __future__ import annotations

import json
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, AsyncIterator

import aioboto3
from fastapi import FastAPI, Request

from .config import AWS_REGION, DYNAMODB_ENDPOINT, TableNames


@dataclass
class Tables:
    resource: Any
    names: TableNames
    events: Any
    streams: Any
    snapshots: Any
    projections: Any
    keys: Any


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    names = TableNames.from_env()
    async with AsyncExitStack() as stack:
        session = aioboto3.Session(region_name=AWS_REGION)
        resource = await stack.enter_async_context(
            session.resource("dynamodb", endpoint_url=DYNAMODB_ENDPOINT)
        )
        app.state.tables = Tables(
            resource=resource,
            names=names,
            events=await resource.Table(names.events),
            streams=await resource.Table(names.streams),
            snapshots=await resource.Table(names.snapshots),
            projections=await resource.Table(names.projections),
            keys=await resource.Table(names.keys),
        )
        yield
    app.state.tables = None


def tables(request: Request) -> Tables:
    return request.app.state.tables


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def to_dynamo(value: Any) -> Any:
    """JSON payloads carry floats, which boto3 refuses: round-trip through Decimal."""
    return json.loads(json.dumps(value), parse_float=Decimal)


def from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def stream_key(tenant_id: str, aggregate_id: str) -> str:
    return f"{tenant_id}#{aggregate_id}"
