from collections.abc import Generator
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from .config import settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def get_db() -> Generator[Any, None, None]:
    client = boto3.client("dynamodb", region_name=settings.aws_region,
                          endpoint_url=settings.dynamodb_endpoint)
    try:
        yield client
    finally:
        client.close()


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: _deserializer.deserialize(v) for k, v in item.items()}
