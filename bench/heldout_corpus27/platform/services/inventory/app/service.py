"""Inventory domain logic on top of the shared DynamoDB helpers."""
from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError
from fastapi import HTTPException, status

from libs.common import audit
from libs.common.auth import Principal
from libs.common.dynamo import epoch, now_iso, table, table_name, transact

SERVICE = "inventory"
LOCK_SECONDS = 300
HOLD_SECONDS = 15 * 60

items = table("items")
locks = table("locks")
reservations = table("reservations")


def _conflict(detail: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_409_CONFLICT, detail=detail)


def _not_found(what: str = "not found") -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=what)


def lock_key(sku: str) -> dict[str, str]:
    return {"resource": f"item#{sku}"}


def get_item(sku: str) -> dict[str, Any]:
    item = items.get_item(Key={"sku": sku}).get("Item")
    if item is None:
        raise _not_found("unknown sku")
    return item


def current_lock(sku: str) -> dict[str, Any] | None:
    lock = locks.get_item(Key=lock_key(sku), ConsistentRead=True).get("Item")
    if lock and int(lock["lock_until"]) > epoch():
        return lock
    return None


def require_lock(sku: str, who: Principal) -> dict[str, Any]:
    lock = current_lock(sku)
    if lock is None or lock["lock_owner"] != who.email:
        raise _conflict("acquire the item lock first")
    return lock


def acquire_lock(sku: str, who: Principal) -> dict[str, Any]:
    now = epoch()
    lock = {
        **lock_key(sku),
        "lock_owner": who.email,
        "lock_until": now + LOCK_SECONDS,
        "ttl": now + LOCK_SECONDS + 3600,
    }
    try:
        locks.put_item(
            Item=lock,
            ConditionExpression="attribute_not_exists(#r) OR lock_until < :now OR lock_owner = :me",
            ExpressionAttributeNames={"#r": "resource"},
            ExpressionAttributeValues={":now": now, ":me": who.email},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise _conflict("item is locked by someone else")
        raise
    return lock


def edit_item(sku: str, changes: dict[str, Any], who: Principal) -> dict[str, Any]:
    expr, names, values = "SET updated_at = :t", {}, {":t": now_iso()}
    for field, value in changes.items():
        names[f"#{field}"] = field
        values[f":{field}"] = value
        expr += f", #{field} = :{field}"
    try:
        transact([
            {
                "ConditionCheck": {
                    "TableName": table_name("locks"),
                    "Key": lock_key(sku),
                    "ConditionExpression": "lock_owner = :me AND lock_until > :now",
                    "ExpressionAttributeValues": {":me": who.email, ":now": epoch()},
                }
            },
            {
                "Update": {
                    "TableName": table_name("items"),
                    "Key": {"sku": sku},
                    "UpdateExpression": expr,
                    "ConditionExpression": "attribute_exists(sku)",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            audit.transact_put(SERVICE, who.email, "item.edit", sku, fields=sorted(changes)),
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise _conflict("lock expired or item missing")
        raise
    return get_item(sku)


def availability(sku: str) -> dict[str, Any]:
    item = get_item(sku)
    return {
        "sku": sku,
        "available": int(item.get("available", 0)),
        "held": int(item.get("held", 0)),
    }


def reserve(body, who: Principal) -> dict[str, Any]:
    try:
        items.update_item(
            Key={"sku": body.sku},
            UpdateExpression="SET available = available - :q ADD held :q",
            ConditionExpression="attribute_exists(sku) AND available >= :q",
            ExpressionAttributeValues={":q": body.quantity},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise _conflict("not enough stock")
        raise
    reservation = {
        "reservation_id": str(uuid.uuid4()),
        "owner_sub": who.sub,
        "owner_email": who.email,
        "sku": body.sku,
        "quantity": body.quantity,
        "warehouse": body.warehouse,
        "note": body.note,
        "status": "HELD",
        "created_at": now_iso(),
        "expires_at": epoch() + HOLD_SECONDS,
    }
    reservations.put_item(
        Item=reservation,
        ConditionExpression="attribute_not_exists(reservation_id)",
    )
    return reservation


def release(reservation: dict[str, Any], who: Principal) -> None:
    try:
        transact([
            {
                "Delete": {
                    "TableName": table_name("reservations"),
                    "Key": {"reservation_id": reservation["reservation_id"]},
                    "ConditionExpression": "owner_sub = :me AND #s = :held",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":me": who.sub, ":held": "HELD"},
                }
            },
            {
                "Update": {
                    "TableName": table_name("items"),
                    "Key": {"sku": reservation["sku"]},
                    "UpdateExpression": "SET available = available + :q ADD held :neg",
                    "ConditionExpression": "attribute_exists(sku)",
                    "ExpressionAttributeValues": {
                        ":q": reservation["quantity"],
                        ":neg": -reservation["quantity"],
                    },
                }
            },
            audit.transact_put(SERVICE, who.email, "reservation.release", reservation["reservation_id"]),
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise _conflict("reservation is no longer held")
        raise
