"""DynamoDB access: one low-level client, typed values through TypeSerializer."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

REGION = os.environ.get("AWS_REGION", "eu-west-1")
EXPENSES = os.environ.get("EXPENSES_TABLE", "expenses")
REPORTS = os.environ.get("REPORTS_TABLE", "expense-reports")
BUDGETS = os.environ.get("BUDGETS_TABLE", "team-budgets")
SETTINGS = os.environ.get("SETTINGS_TABLE", "user-settings")

ddb = boto3.client("dynamodb", region_name=REGION)
# The budgets code came from the finance cron job, which uses the resource API.
budgets = boto3.resource("dynamodb", region_name=REGION).Table(BUDGETS)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def typed(value: Any) -> dict:
    return _serializer.serialize(value)


def to_ddb(data: dict) -> dict:
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def from_ddb(item: dict) -> dict:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def values(**kwargs: Any) -> dict:
    return {f":{name}": _serializer.serialize(v) for name, v in kwargs.items()}


def expense_key(expense_id: str) -> dict:
    return {"expense_id": {"S": expense_id}}


def load_expense(expense_id: str) -> dict | None:
    resp = ddb.get_item(TableName=EXPENSES, Key=expense_key(expense_id), ConsistentRead=True)
    item = resp.get("Item")
    return from_ddb(item) if item else None


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
