"""aioboto3 low-level client, one per request, and the (de)serialisers."""
import os
from typing import Any, AsyncIterator

import aioboto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

TABLE = os.environ.get("ORDERS_TABLE", "orders")
CATALOG_TABLE = os.environ.get("CATALOG_TABLE", "catalog")
REGION = os.environ.get("AWS_REGION", "us-east-1")

session = aioboto3.Session()
_ser = TypeSerializer()
_de = TypeDeserializer()


async def get_client() -> AsyncIterator[Any]:
    async with session.client("dynamodb", region_name=REGION) as client:
        yield client


def to_item(data: dict) -> dict:
    return {k: _ser.serialize(v) for k, v in data.items() if v is not None}


def from_item(item: dict) -> dict:
    return {k: _de.deserialize(v) for k, v in item.items()}


def order_key(order_id: str, sk: str = "META") -> dict:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": sk}}
