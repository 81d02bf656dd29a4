import os
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer

client = boto3.client(
    "dynamodb",
    region_name=os.getenv("AWS_REGION", "us-east-1"),
    endpoint_url=os.getenv("DYNAMODB_ENDPOINT"),
)

CUSTOMERS = os.getenv("CUSTOMERS_TABLE", "shop-customers")
API_KEYS = os.getenv("API_KEYS_TABLE", "shop-api-keys")
PRODUCTS = os.getenv("PRODUCTS_TABLE", "shop-products")
ORDERS = os.getenv("ORDERS_TABLE", "shop-orders")

_deserializer = TypeDeserializer()


def unmarshal(item: dict) -> dict:
    out = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in out.items()}
