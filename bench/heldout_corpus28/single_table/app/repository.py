"""Module-level data access for the single table. Callers pass plain values."""
import base64
import json
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from .db import GSI1, N, S, TABLE, client, key, marshal, unmarshal

IDEMPOTENCY_TTL = 24 * 3600


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _encode_cursor(last_key: Optional[Dict[str, Any]]) -> Optional[str]:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode()


def _decode_cursor(cursor: Optional[str]) -> Optional[Dict[str, Any]]:
    if not cursor:
        return None
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


# -- profile -----------------------------------------------------------------

def create_profile(user_id: str, email: str, display_name: str, opt_in: bool) -> None:
    client.put_item(
        TableName=TABLE,
        Item={
            **key(f"USER#{user_id}", "PROFILE"),
            "entity": S("PROFILE"),
            "email": S(email),
            "display_name": S(display_name),
            "marketing_opt_in": {"BOOL": opt_in},
            "tier": S("free"),
            "created_at": S(_now()),
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


def get_profile(user_id: str) -> Optional[Dict[str, Any]]:
    resp = client.get_item(TableName=TABLE, Key=key(f"USER#{user_id}", "PROFILE"))
    item = resp.get("Item")
    return unmarshal(item) if item else None


def update_profile(user_id: str, changes: Dict[str, Any]) -> Dict[str, Any]:
    names, values, clauses = {}, {}, []
    for i, (attr, value) in enumerate(changes.items()):
        names[f"#a{i}"] = attr
        values[f":v{i}"] = marshal(value)
        clauses.append(f"#a{i} = :v{i}")
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", "PROFILE"),
        UpdateExpression="SET " + ", ".join(clauses),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])


def set_tier(user_id: str, tier: str) -> None:
    client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", "PROFILE"),
        UpdateExpression="SET #tier = :t",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#tier": "tier"},
        ExpressionAttributeValues={":t": S(tier)},
    )


# -- addresses ---------------------------------------------------------------

def add_address(user_id: str, address: Dict[str, str]) -> None:
    item = {k: S(v) for k, v in address.items() if k != "label"}
    client.put_item(
        TableName=TABLE,
        Item={**item, **key(f"USER#{user_id}", f"ADDR#{address['label']}"), "entity": S("ADDRESS")},
        ConditionExpression="attribute_not_exists(SK)",
    )


def get_address(user_id: str, label: str) -> Optional[Dict[str, Any]]:
    resp = client.get_item(TableName=TABLE, Key=key(f"USER#{user_id}", f"ADDR#{label}"))
    item = resp.get("Item")
    return unmarshal(item) if item else None


def list_addresses(user_id: str, fields: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    params: Dict[str, Any] = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :addr)",
        "ExpressionAttributeValues": {":pk": S(f"USER#{user_id}"), ":addr": S("ADDR#")},
    }
    if fields:
        params["ProjectionExpression"] = ", ".join(["SK"] + fields)
    resp = client.query(**params)
    return [unmarshal(i) for i in resp["Items"]]


def delete_address(user_id: str, label: str) -> None:
    client.delete_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ADDR#{label}"),
        ConditionExpression="attribute_exists(SK)",
    )


# -- idempotency -------------------------------------------------------------

def find_idempotent_response(user_id: str, idem_key: str) -> Optional[Dict[str, Any]]:
    resp = client.get_item(
        TableName=TABLE,
        Key={"PK": f"IDEMP#{user_id}#{idem_key}", "SK": "IDEMP"},
        ConsistentRead=True,
    )
    item = resp.get("Item")
    return unmarshal(item) if item else None


def claim_idempotency_key(user_id: str, idem_key: str) -> None:
    client.put_item(
        TableName=TABLE,
        Item={
            **key(f"IDEMP#{user_id}#{idem_key}", "IDEMP"),
            "state": S("IN_PROGRESS"),
            "expires_at": N(int(time.time()) + IDEMPOTENCY_TTL),
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


def complete_idempotency_key(user_id: str, idem_key: str, order_id: str) -> None:
    client.update_item(
        TableName=TABLE,
        Key=key(f"IDEMP#{user_id}#{idem_key}", "IDEMP"),
        UpdateExpression="SET #state = :done, order_id = :o",
        ConditionExpression="#state = :in_progress",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={
            ":done": S("DONE"),
            ":in_progress": S("IN_PROGRESS"),
            ":o": S(order_id),
        },
    )


# -- orders ------------------------------------------------------------------

def create_order(user_id: str, order_id: str, order: Dict[str, Any]) -> Dict[str, Any]:
    item = {
        **order,
        "PK": f"USER#{user_id}",
        "SK": f"ORDER#{order_id}",
        "GSI1PK": f"ORDER#{order_id}",
        "GSI1SK": f"USER#{user_id}",
        "entity": "ORDER",
        "order_id": order_id,
        "owner_id": user_id,
        "status": "PENDING",
        "created_at": _now(),
    }
    client.put_item(
        TableName=TABLE,
        Item={k: marshal(v) for k, v in item.items()},
        ConditionExpression="attribute_not_exists(PK)",
    )
    return item


def get_order(user_id: str, order_id: str) -> Optional[Dict[str, Any]]:
    resp = client.get_item(TableName=TABLE, Key=key(f"USER#{user_id}", f"ORDER#{order_id}"))
    item = resp.get("Item")
    return unmarshal(item) if item else None


def find_order(order_id: str) -> Optional[Dict[str, Any]]:
    """Look an order up by id alone through the inverted index (GSI1)."""
    resp = client.query(
        TableName=TABLE,
        IndexName=GSI1,
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": S(f"ORDER#{order_id}")},
        Limit=1,
    )
    items = resp.get("Items", [])
    return unmarshal(items[0]) if items else None


def list_orders(user_id: str, cursor: Optional[str], limit: int) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    params: Dict[str, Any] = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :order)",
        "ExpressionAttributeValues": {":pk": S(f"USER#{user_id}"), ":order": S("ORDER#")},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    start = _decode_cursor(cursor)
    if start:
        if start.get("PK", {}).get("S") != f"USER#{user_id}":
            raise ValueError("cursor belongs to another partition")
        params["ExclusiveStartKey"] = start
    resp = client.query(**params)
    return [unmarshal(i) for i in resp["Items"]], _encode_cursor(resp.get("LastEvaluatedKey"))


def orders_with_status(user_id: str, status: str) -> List[Dict[str, Any]]:
    resp = client.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :order)",
        FilterExpression="status = :s",
        ExpressionAttributeValues={
            ":pk": S(f"USER#{user_id}"),
            ":order": S("ORDER#"),
            ":s": S(status),
        },
    )
    return [unmarshal(i) for i in resp["Items"]]


def orders_by_external_ref(ref: str) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = []
    params: Dict[str, Any] = {
        "TableName": TABLE,
        "FilterExpression": "entity = :order AND external_ref = :ref",
        "ExpressionAttributeValues": {":order": S("ORDER"), ":ref": S(ref)},
    }
    while True:
        resp = client.scan(**params)
        items.extend(unmarshal(i) for i in resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


def cancel_order(user_id: str, order_id: str) -> Dict[str, Any]:
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        UpdateExpression="SET #st = :cancelled, cancelled_at = :now",
        ConditionExpression="#st IN (:pending, :paid)",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={
            ":cancelled": S("CANCELLED"),
            ":pending": S("PENDING"),
            ":paid": S("PAID"),
            ":now": S(_now()),
        },
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])


def set_shipping_address(user_id: str, order_id: str, address: Dict[str, Any]) -> Dict[str, Any]:
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        UpdateExpression="SET shipping_address = :a",
        ConditionExpression="#st = :pending",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":a": marshal(address), ":pending": S("PENDING")},
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])


def set_order_notes(user_id: str, order_id: str, notes: str) -> Dict[str, Any]:
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        UpdateExpression="SET #notes = :n, updated_at = :now",
        ExpressionAttributeNames={"#notes": "notes"},
        ExpressionAttributeValues={":n": S(notes), ":now": S(_now())},
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])


def mark_delivered(user_id: str, order_id: str) -> Dict[str, Any]:
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        UpdateExpression="SET #st = :delivered, delivered_at = :now",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":delivered": S("DELIVERED"), ":now": S(_now())},
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])


def record_feedback(order: Dict[str, Any], rating: int, comment: str) -> None:
    client.update_item(
        TableName=TABLE,
        Key=key(order["PK"], order["SK"]),
        UpdateExpression="SET feedback_rating = :r, feedback_comment = :c, feedback_at = :now",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues={":r": N(rating), ":c": S(comment), ":now": S(_now())},
    )


def delete_order(user_id: str, order_id: str) -> None:
    client.delete_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        ConditionExpression="attribute_exists(PK)",
    )


# -- coupons -----------------------------------------------------------------

def get_coupon(code: str) -> Optional[Dict[str, Any]]:
    resp = client.get_item(TableName=TABLE, Key=key(f"COUPON#{code}", "COUPON"))
    item = resp.get("Item")
    return unmarshal(item) if item else None


def consume_coupon(code: str) -> None:
    client.update_item(
        TableName=TABLE,
        Key=key(f"COUPON#{code}", "COUPON"),
        UpdateExpression="ADD remaining_uses :minus_one",
        ExpressionAttributeValues={":minus_one": N(-1)},
    )


def apply_discount(user_id: str, order_id: str, code: str, percent_off: int) -> Dict[str, Any]:
    resp = client.update_item(
        TableName=TABLE,
        Key=key(f"USER#{user_id}", f"ORDER#{order_id}"),
        UpdateExpression="SET coupon_code = :c, discount_percent = :p",
        ConditionExpression="#st = :pending AND attribute_not_exists(coupon_code)",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":c": S(code), ":p": N(percent_off), ":pending": S("PENDING")},
        ReturnValues="ALL_NEW",
    )
    return unmarshal(resp["Attributes"])
