import base64
import json
import os
from functools import lru_cache

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

TABLE_NAME = os.environ.get("BILLING_TABLE", "billing")
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@lru_cache
def resource():
    return boto3.resource("dynamodb", endpoint_url=ENDPOINT)


@lru_cache
def client():
    return boto3.client("dynamodb", endpoint_url=ENDPOINT)


def table():
    return resource().Table(TABLE_NAME)


def serialize(item: dict) -> dict:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def deserialize(item: dict) -> dict:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def tenant_pk(org_id: str) -> str:
    return f"TENANT#{org_id}"


def encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))
