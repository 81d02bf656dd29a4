import time
from datetime import datetime, timedelta, timezone
from typing import Optional

from boto3.dynamodb.conditions import Key
from fastapi import HTTPException

from .db import resources, slots

SLOT_MINUTES = 30
HOLD_SECONDS = 10 * 60
CANCEL_WINDOW = timedelta(hours=24)


def slot_key(start: datetime) -> str:
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    start = start.astimezone(timezone.utc)
    if start.minute % SLOT_MINUTES or start.second or start.microsecond:
        raise HTTPException(status_code=422, detail="slot_start must be on a slot boundary")
    return start.strftime("%Y-%m-%dT%H:%MZ")


def slot_end(start: datetime) -> str:
    end = start.astimezone(timezone.utc) + timedelta(minutes=SLOT_MINUTES)
    return end.strftime("%Y-%m-%dT%H:%MZ")


def parse_key(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)


def now_epoch() -> int:
    return int(time.time())


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_resource(resource_id: str) -> dict:
    item = resources.get_item(Key={"resource_id": resource_id}).get("Item")
    if item is None or not item.get("active", True):
        raise HTTPException(status_code=404, detail="Resource not found")
    return item


def get_slot(resource_id: str, start: str) -> Optional[dict]:
    return slots.get_item(Key={"resource_id": resource_id, "slot_start": start}).get("Item")


def day_slots(resource_id: str, day: str) -> list:
    resp = slots.query(
        KeyConditionExpression=Key("resource_id").eq(resource_id)
        & Key("slot_start").begins_with(day)
    )
    return resp.get("Items", [])
