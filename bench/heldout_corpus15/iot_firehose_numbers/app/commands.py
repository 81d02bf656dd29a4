"""Commands people queue for their devices: queued -> sent -> acked (or cancelled)."""
from typing import Any, Literal, Optional

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from .db import COMMAND_TTL_S, COMMANDS, DEVICES, n, now, plain, s
from .security import Account, Client

router = APIRouter(prefix="/v1/devices/{device_id}/commands", tags=["commands"])


class CommandIn(BaseModel):
    name: Literal["reboot", "set_rate", "locate", "upload_logs"]
    args: dict[str, str] = Field(default_factory=dict)
    expires_at: Optional[int] = None


class CommandOut(BaseModel):
    command_id: int
    name: str
    status: str
    created_at: int
    expires_at: int


def _check_owner(client, device_id: int, account: dict) -> None:
    item = client.get_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
        ProjectionExpression="account_id",
    ).get("Item")
    if not item or item["account_id"]["S"] != account["account_id"]:
        raise HTTPException(404, "device not found")


@router.post("", response_model=CommandOut, status_code=201)
def queue_command(device_id: int, body: CommandIn, account: Account, client: Client):
    _check_owner(client, device_id, account)
    counter = client.update_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
        UpdateExpression="ADD next_command_id :one",
        ConditionExpression="account_id = :a",
        ExpressionAttributeValues={":one": n(1), ":a": s(account["account_id"])},
        ReturnValues="UPDATED_NEW",
    )
    command_id = int(counter["Attributes"]["next_command_id"]["N"])
    created = now()
    expires_at = body.expires_at or created + COMMAND_TTL_S
    client.put_item(
        TableName=COMMANDS,
        Item={
            "device_id": n(device_id),
            "command_id": n(command_id),
            "name": s(body.name),
            "args": {"M": {k: s(v) for k, v in body.args.items()}},
            "status": s("queued"),
            "created_at": n(created),
            "expires_at": n(expires_at),
        },
        ConditionExpression="attribute_not_exists(command_id)",
    )
    return {"command_id": command_id, "name": body.name, "status": "queued",
            "created_at": created, "expires_at": expires_at}


@router.get("", response_model=list[CommandOut])
def list_commands(device_id: int, account: Account, client: Client):
    _check_owner(client, device_id, account)
    resp = client.query(
        TableName=COMMANDS,
        KeyConditionExpression="device_id = :d",
        ExpressionAttributeValues={":d": n(device_id)},
        ScanIndexForward=False,
    )
    return [plain(i) for i in resp["Items"]]


@router.post("/{command_id}/cancel", status_code=204)
def cancel_command(device_id: int, command_id: int, account: Account, client: Client):
    _check_owner(client, device_id, account)
    try:
        client.update_item(
            TableName=COMMANDS,
            Key={"device_id": n(device_id), "command_id": n(command_id)},
            UpdateExpression="SET #s = :cancelled",
            ConditionExpression="#s = :queued",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": s("cancelled"), ":queued": s("queued")},
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "only queued commands can be cancelled")


@router.post("/{command_id}/retry", status_code=204)
def retry_command(device_id: int, command_id: int, account: Account, client: Client):
    """Re-queue a command the device took but never acknowledged."""
    _check_owner(client, device_id, account)
    client.update_item(
        TableName=COMMANDS,
        Key={"device_id": n(device_id), "command_id": n(command_id)},
        UpdateExpression="SET #s = :queued, expires_at = :exp",
        ConditionExpression="#s = :sent",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":queued": s("queued"), ":sent": s("sent"), ":exp": n(now() + COMMAND_TTL_S),
        },
    )
