from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, cast

from boto3.dynamodb.conditions import Attr, Key
from mypy_boto3_dynamodb.service_resource import Table

from .items import NotificationItem, OrderItem, ProfileItem, TicketItem


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


def get_profile(table: Table, user_id: str) -> Optional[ProfileItem]:
    resp = table.get_item(Key={"user_id": user_id})
    item = resp.get("Item")
    return cast(ProfileItem, item) if item else None


def list_orders(
    table: Table, user_id: str, limit: int = 20, projection: Optional[str] = None
) -> List[OrderItem]:
    kwargs: Dict[str, Any] = {
        "KeyConditionExpression": Key("user_id").eq(user_id),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if projection:
        kwargs["ProjectionExpression"] = projection
    resp = table.query(**kwargs)
    return cast(List[OrderItem], resp.get("Items", []))


def get_order(table: Table, user_id: str, order_id: str) -> Optional[OrderItem]:
    resp = table.get_item(Key={"user_id": user_id, "order_id": order_id})
    item = resp.get("Item")
    return cast(OrderItem, item) if item else None


def list_open_tickets(table: Table, owner_id: str) -> List[TicketItem]:
    resp = table.query(
        IndexName="owner-index",
        KeyConditionExpression=Key("owner_id").eq(owner_id),
        FilterExpression=Attr("status").is_in(["open", "waiting"]),
    )
    return cast(List[TicketItem], resp.get("Items", []))


def get_ticket(table: Table, ticket_id: str) -> Optional[TicketItem]:
    resp = table.get_item(Key={"ticket_id": ticket_id})
    item = resp.get("Item")
    return cast(TicketItem, item) if item else None


def append_message(table: Table, ticket_id: str, owner_id: str, body: str) -> None:
    table.update_item(
        Key={"ticket_id": ticket_id},
        UpdateExpression=(
            "SET messages = list_append(if_not_exists(messages, :empty), :msg), "
            "updated_at = :now"
        ),
        ConditionExpression="owner_id = :me",
        ExpressionAttributeValues={
            ":empty": [],
            ":msg": [{"author": owner_id, "body": body, "at": utcnow()}],
            ":now": utcnow(),
            ":me": owner_id,
        },
    )


def recent_notifications(table: Table, user_id: str, limit: int = 10) -> List[NotificationItem]:
    resp = table.query(
        KeyConditionExpression=Key("user_id").eq(user_id),
        ScanIndexForward=False,
        Limit=limit,
    )
    return cast(List[NotificationItem], resp.get("Items", []))


def recent_tickets(table: Table, limit: int = 25) -> List[TicketItem]:
    resp = table.scan(
        FilterExpression=Attr("status").ne("closed"),
        Limit=limit,
    )
    return cast(List[TicketItem], resp.get("Items", []))
