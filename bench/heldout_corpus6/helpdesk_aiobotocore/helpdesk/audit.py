"""Audit trail, written with a plain boto3 client (shared with the nightly export job)."""
from datetime import datetime, timezone
from uuid import uuid4

import boto3

from .settings import get_settings

_settings = get_settings()
_audit = boto3.client(
    "dynamodb", region_name=_settings.region, endpoint_url=_settings.dynamodb_endpoint
)


def record_event(tenant_id: str, ticket_id: str, action: str, actor: str) -> None:
    _audit.put_item(
        TableName=_settings.audit_table,
        Item={
            "tenant_id": {"S": tenant_id},
            "event_id": {"S": f"{datetime.now(timezone.utc).isoformat()}#{uuid4().hex}"},
            "ticket_id": {"S": ticket_id},
            "action": {"S": action},
            "actor": {"S": actor},
        },
    )
