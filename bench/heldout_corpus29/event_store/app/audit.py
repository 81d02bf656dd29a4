"""Audit trail. Written by the ops team's shared helper, used by several services."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import boto3

from .config import AUDIT_TABLE, AWS_REGION, DYNAMODB_ENDPOINT

_audit = boto3.resource(
    "dynamodb", region_name=AWS_REGION, endpoint_url=DYNAMODB_ENDPOINT
).Table(AUDIT_TABLE)


def record(tenant_id: str, action: str, subject: str) -> None:
    _audit.put_item(
        Item={
            "tenant_id": tenant_id,
            "event_id": str(uuid.uuid4()),
            "action": action,
            "subject": subject,
            "at": datetime.now(timezone.utc).isoformat(),
        }
    )
