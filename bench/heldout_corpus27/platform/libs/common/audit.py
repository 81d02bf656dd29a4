"""Append-only audit trail shared by every service (one ``audit`` table)."""
from __future__ import annotations

import uuid
from typing import Any

from .dynamo import epoch, now_iso, table, table_name

RETENTION_SECONDS = 400 * 24 * 3600


def audit_item(service: str, actor: str, action: str, target: str, **detail: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "service": service,
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
        "at": now_iso(),
        "expires_at": epoch() + RETENTION_SECONDS,
    }


def record(service: str, actor: str, action: str, target: str, **detail: Any) -> None:
    table("audit").put_item(
        Item=audit_item(service, actor, action, target, **detail),
        ConditionExpression="attribute_not_exists(event_id)",
    )


def transact_put(service: str, actor: str, action: str, target: str, **detail: Any) -> dict[str, Any]:
    """The same event as a ``Put`` for a caller's transact_write_items."""
    return {
        "Put": {
            "TableName": table_name("audit"),
            "Item": audit_item(service, actor, action, target, **detail),
            "ConditionExpression": "attribute_not_exists(event_id)",
        }
    }
