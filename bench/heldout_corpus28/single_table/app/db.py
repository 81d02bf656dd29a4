"""One table, one low-level client, typed attribute values.

Item layout (PK / SK):
  USER#<sub>    PROFILE             the caller's profile
  USER#<sub>    ORDER#<order_id>    an order; GSI1PK=ORDER#<order_id>, GSI1SK=USER#<sub>
  USER#<sub>    ADDR#<label>        a saved address
  IDEMP#<sub>#<key>  IDEMP          idempotency record for POST /orders/ (ttl 24h)
  COUPON#<code> COUPON              a coupon (shared, no owner)
"""
import os
from decimal import Decimal
from typing import Any, Dict

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

TABLE = os.environ.get("TABLE_NAME", "shop-dev")
GSI1 = "GSI1"

client = boto3.client(
    "dynamodb",
    region_name=os.environ.get("AWS_REGION", "us-east-1"),
    endpoint_url=os.environ.get("DYNAMODB_ENDPOINT") or None,
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def S(value: str) -> Dict[str, str]:
    return {"S": value}


def N(value: Any) -> Dict[str, str]:
    return {"N": str(value)}


def key(pk: str, sk: str) -> Dict[str, Dict[str, str]]:
    return {"PK": S(pk), "SK": S(sk)}


def marshal(value: Any) -> Dict[str, Any]:
    if isinstance(value, float):
        value = Decimal(str(value))
    return _serializer.serialize(value)


def unmarshal(item: Dict[str, Any]) -> Dict[str, Any]:
    out = {k: _deserializer.deserialize(v) for k, v in item.items()}
    for k, v in out.items():
        if isinstance(v, Decimal):
            out[k] = int(v) if v == v.to_integral_value() else float(v)
    return out


def is_conditional_failure(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
