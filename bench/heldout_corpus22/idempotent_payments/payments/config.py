import os
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

import boto3

REGION = os.environ.get("AWS_REGION", "eu-west-1")
PREFIX = os.environ.get("TABLE_PREFIX", "payments-")
OPS_CLIENT_SUBJECTS = frozenset(
    s.strip()
    for s in os.environ.get("OPS_CLIENT_SUBJECTS", "CN=ops-console,OU=payments,O=Acme").split(";")
    if s.strip()
)
IDEMPOTENCY_TTL = 24 * 3600

_dynamodb = boto3.resource(
    "dynamodb", region_name=REGION, endpoint_url=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
)
merchants = _dynamodb.Table(f"{PREFIX}merchants")
api_keys = _dynamodb.Table(f"{PREFIX}api-keys")
payments = _dynamodb.Table(f"{PREFIX}payments")
refunds = _dynamodb.Table(f"{PREFIX}refunds")
balances = _dynamodb.Table(f"{PREFIX}balances")
idempotency = _dynamodb.Table(f"{PREFIX}idempotency")

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
