"""Runtime settings, read once from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class TableNames:
    events: str
    streams: str
    snapshots: str
    projections: str
    keys: str

    @classmethod
    def from_env(cls) -> "TableNames":
        prefix = os.environ.get("EVENT_STORE_PREFIX", "es-dev")
        return cls(
            events=os.environ.get("EVENTS_TABLE", f"{prefix}-events"),
            streams=os.environ.get("STREAMS_TABLE", f"{prefix}-streams"),
            snapshots=os.environ.get("SNAPSHOTS_TABLE", f"{prefix}-snapshots"),
            projections=os.environ.get("PROJECTIONS_TABLE", f"{prefix}-projections"),
            keys=os.environ.get("KEYS_TABLE", f"{prefix}-keys"),
        )


AWS_REGION = os.environ.get("AWS_REGION", "eu-west-1")
DYNAMODB_ENDPOINT = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None
AUDIT_TABLE = os.environ.get("AUDIT_TABLE", "es-dev-audit")
KEY_PREFIX = "esk_"
