"""aiobotocore helpers: one low-level client per request, typed values converted here."""
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, AsyncIterator

from aiobotocore.session import get_session
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from .settings import get_settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_session = get_session()


def to_ddb(data: dict[str, Any]) -> dict[str, dict]:
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def from_ddb(item: dict[str, dict]) -> dict[str, Any]:
    out = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in out.items()}


@asynccontextmanager
async def ddb_client() -> AsyncIterator[Any]:
    settings = get_settings()
    async with _session.create_client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
    ) as client:
        yield client


async def get_client() -> AsyncIterator[Any]:
    async with ddb_client() as client:
        yield client
