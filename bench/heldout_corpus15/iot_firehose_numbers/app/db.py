"""DynamoDB access: a plain low-level boto3 client, one per request."""
import os
import time

import boto3

REGION = os.getenv("AWS_REGION", "us-east-1")
DEVICES = os.getenv("DEVICES_TABLE", "firehose-devices")
READINGS = os.getenv("READINGS_TABLE", "firehose-readings")
COMMANDS = os.getenv("COMMANDS_TABLE", "firehose-commands")
ALERTS = os.getenv("ALERTS_TABLE", "firehose-alerts")
API_KEYS = os.getenv("API_KEYS_TABLE", "firehose-api-keys")
USAGE = os.getenv("USAGE_TABLE", "firehose-usage")

READING_RETENTION_S = 14 * 24 * 3600
COMMAND_TTL_S = 24 * 3600


def get_client():
    return boto3.client("dynamodb", region_name=REGION)


def now() -> int:
    return int(time.time())


def n(value) -> dict:
    return {"N": str(value)}


def s(value: str) -> dict:
    return {"S": value}


def plain(item: dict) -> dict:
    """Flatten the attribute values we use ({"S"}, {"N"}, {"BOOL"}, {"M"})."""
    out = {}
    for key, av in item.items():
        (kind, val), = av.items()
        if kind == "N":
            out[key] = int(val) if val.lstrip("-").isdigit() else float(val)
        elif kind == "M":
            out[key] = plain(val)
        else:
            out[key] = val
    return out
