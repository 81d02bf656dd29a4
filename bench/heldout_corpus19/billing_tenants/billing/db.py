"""aioboto3 low-level client, one per process, plus (de)serialisation helpers."""
import os
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, AsyncIterator, Dict

import aioboto3
import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from fastapi import FastAPI, Request

REGION = os.environ.get("AWS_REGION", "us-east-1")
ORGS = os.environ.get("ORGS_TABLE", "billing-orgs")
KEYS = os.environ.get("KEYS_TABLE", "billing-api-keys")
USAGE = os.environ.get("USAGE_TABLE", "billing-usage")
INVOICES = os.environ.get("INVOICES_TABLE", "billing-invoices")
CREDIT_NOTES = os.environ.get("CREDIT_NOTES_TABLE", "billing-credit-notes")
PLANS = os.environ.get("PLANS_TABLE", "billing-plans")

_ser = TypeSerializer()
_de = TypeDeserializer()

# the plan catalogue is tiny and read-mostly; a plain resource is enough for it
plans_table = boto3.resource("dynamodb", region_name=REGION).Table(PLANS)


def to_ddb(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in item.items() if v is not None}


def from_ddb(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def money(value: Decimal) -> Dict[str, str]:
    return {"N": str(value.quantize(Decimal("0.01")))}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    session = aioboto3.Session()
    async with session.client("dynamodb", region_name=REGION) as client:
        app.state.ddb = client
        yield


def get_ddb(request: Request):
    return request.app.state.ddb
