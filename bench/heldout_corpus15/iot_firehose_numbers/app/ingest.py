"""Routes the devices call. Authenticated by the body signature (see security.py)."""
from typing import Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .db import COMMANDS, DEVICES, READINGS, READING_RETENTION_S, USAGE, n, now, plain, s
from .security import Client, Device

router = APIRouter(prefix="/ingest/{device_id}", tags=["ingest"])


class Reading(BaseModel):
    ts: int = Field(ge=1_500_000_000, le=4_000_000_000)
    temperature_c: Optional[float] = None
    humidity: Optional[float] = Field(None, ge=0, le=100)
    battery_mv: Optional[int] = Field(None, ge=0, le=5000)


class Heartbeat(BaseModel):
    uptime_s: int = Field(ge=0)
    rssi: Optional[int] = None


@router.post("/telemetry", status_code=202)
def ingest_reading(reading: Reading, device: Device, client: Client):
    item = {"device_id": n(device["device_id"]), "ts": n(reading.ts),
            "expires_at": n(now() + READING_RETENTION_S)}
    for field in ("temperature_c", "humidity", "battery_mv"):
        value = getattr(reading, field)
        if value is not None:
            item[field] = n(value)
    try:
        client.put_item(TableName=READINGS, Item=item)
        client.update_item(
            TableName=DEVICES,
            Key={"device_id": n(device["device_id"])},
            UpdateExpression="ADD readings_count :one SET last_seen = :now",
            ConditionExpression="attribute_exists(device_id)",
            ExpressionAttributeValues={":one": n(1), ":now": n(now())},
        )
        client.update_item(
            TableName=USAGE,
            Key={"account_id": s(device["account_id"])},
            UpdateExpression="ADD readings :one",
            ExpressionAttributeValues={":one": n(1)},
        )
    except ClientError as exc:
        return JSONResponse(status_code=502, content={"error": exc.response["Error"]["Message"]})
    return {"accepted": 1}


@router.post("/heartbeat", status_code=204)
def heartbeat(device_id: int, beat: Heartbeat, client: Client):
    client.update_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
        UpdateExpression="SET last_seen = :now, uptime_s = :up ADD heartbeats :one",
        ExpressionAttributeValues={":now": n(now()), ":up": n(beat.uptime_s), ":one": n(1)},
    )


@router.post("/commands/poll")
def poll_commands(device: Device, client: Client):
    resp = client.query(
        TableName=COMMANDS,
        KeyConditionExpression="device_id = :d",
        FilterExpression="status = :queued",
        ExpressionAttributeValues={":d": n(device["device_id"]), ":queued": s("queued")},
    )
    delivered = []
    for cmd in resp["Items"]:
        client.update_item(
            TableName=COMMANDS,
            Key={"device_id": cmd["device_id"], "command_id": cmd["command_id"]},
            UpdateExpression="SET #s = :sent, sent_at = :now",
            ConditionExpression="attribute_exists(command_id)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":sent": s("sent"), ":now": n(now())},
        )
        delivered.append({"command_id": int(cmd["command_id"]["N"]),
                          "name": cmd["name"]["S"], "args": plain(cmd.get("args", {"M": {}})["M"])})
    return {"commands": delivered}


@router.post("/commands/{command_id}/ack", status_code=204)
def ack_command(command_id: int, device: Device, client: Client):
    try:
        client.update_item(
            TableName=COMMANDS,
            Key={"device_id": n(device["device_id"]), "command_id": n(command_id)},
            UpdateExpression="SET #s = :acked, acked_at = :now",
            ConditionExpression="#s = :sent",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":acked": s("acked"), ":sent": s("sent"), ":now": n(now())},
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "command is not awaiting an ack")
