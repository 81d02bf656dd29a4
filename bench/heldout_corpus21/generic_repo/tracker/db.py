import os
from datetime import datetime, timezone
from functools import lru_cache

import boto3

TABLE_PREFIX = os.environ.get("TRACKER_TABLE_PREFIX", "tracker-")


@lru_cache
def dynamodb():
    return boto3.resource(
        "dynamodb",
        region_name=os.environ.get("AWS_REGION", "eu-west-1"),
        endpoint_url=os.environ.get("DYNAMODB_ENDPOINT") or None,
    )


def table(name: str):
    return dynamodb().Table(f"{TABLE_PREFIX}{name}")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
