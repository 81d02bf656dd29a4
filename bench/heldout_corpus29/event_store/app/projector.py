"""Read-model maintenance: the projections table keeps one row per aggregate."""
from __future__ import annotations

from typing import Any, Iterable

from .db import from_dynamo, utcnow


def projection_update(
    table_name: str,
    tenant_id: str,
    aggregate_id: str,
    event_types: list[str],
    last_seq: int,
) -> dict[str, Any]:
    """The projection step of an append, as a TransactItems entry."""
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"tenant_id": tenant_id, "aggregate_id": aggregate_id},
            "UpdateExpression": "SET #ls = :seq, #lt = :last, #u = :now ADD #n :count",
            "ConditionExpression": "attribute_exists(#agg) AND #ls < :seq",
            "ExpressionAttributeNames": {
                "#ls": "last_seq",
                "#lt": "last_event_type",
                "#u": "updated_at",
                "#n": "event_count",
                "#agg": "aggregate_id",
            },
            "ExpressionAttributeValues": {
                ":seq": last_seq,
                ":last": event_types[-1],
                ":now": utcnow(),
                ":count": len(event_types),
            },
        }
    }


def fold(tenant_id: str, head: dict[str, Any], events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Rebuild a projection row from the full event history of one stream."""
    count = 0
    last_seq = 0
    last_type = None
    for event in events:
        count += 1
        last_seq = max(last_seq, int(event["seq"]))
        last_type = event["type"]
    return {
        "tenant_id": tenant_id,
        "aggregate_id": head["aggregate_id"],
        "aggregate_type": head["aggregate_type"],
        "last_seq": last_seq,
        "event_count": count,
        "last_event_type": last_type,
        "updated_at": utcnow(),
    }


def as_event(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": int(item["seq"]),
        "type": item["type"],
        "data": from_dynamo(item.get("data", {})),
        "recorded_at": item["recorded_at"],
    }
