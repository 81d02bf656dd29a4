import secrets
from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from .db import ALERTS, DEVICES, READINGS, USAGE, n, now, plain, s
from .security import Account, Client

router = APIRouter(prefix="/v1/devices", tags=["devices"])


class DeviceCreate(BaseModel):
    device_id: int = Field(ge=1, description="serial number printed on the unit")
    label: str = Field(max_length=64)
    sample_rate_s: int = Field(60, ge=5, le=3600)


class DeviceSettings(BaseModel):
    label: Optional[str] = Field(None, max_length=64)
    sample_rate_s: Optional[int] = Field(None, ge=5, le=3600)
    firmware_channel: Optional[str] = Field(None, pattern="^(stable|beta)$")


class DeviceOut(BaseModel):
    device_id: int
    label: str
    sample_rate_s: int
    lifecycle: str
    readings_count: int = 0
    last_seen: Optional[int] = None


class AlertRule(BaseModel):
    device_id: int
    metric: str = Field(pattern="^[a-z_]{1,32}$")
    threshold: float
    above: bool = True


SETTABLE = ("label", "sample_rate_s", "firmware_channel")


def _owned_device(client, device_id: int, account: dict) -> dict:
    item = client.get_item(TableName=DEVICES, Key={"device_id": n(device_id)}).get("Item")
    if not item or item["account_id"]["S"] != account["account_id"]:
        raise HTTPException(404, "device not found")
    return item


@router.get("", response_model=list[DeviceOut])
def list_devices(account: Account, client: Client):
    resp = client.query(
        TableName=DEVICES,
        IndexName="account-index",
        KeyConditionExpression="account_id = :a",
        ExpressionAttributeValues={":a": s(account["account_id"])},
    )
    return [plain(i) for i in resp["Items"]]


@router.post("", status_code=201)
def register_device(body: DeviceCreate, account: Account, client: Client):
    secret = secrets.token_hex(32)
    client.put_item(
        TableName=DEVICES,
        Item={
            "device_id": n(body.device_id),
            "account_id": s(account["account_id"]),
            "label": s(body.label),
            "sample_rate_s": n(body.sample_rate_s),
            "lifecycle": s("active"),
            "secret": s(secret),
            "readings_count": n(0),
            "next_command_id": n(0),
        },
        ConditionExpression="attribute_not_exists(device_id)",
    )
    return {"device_id": body.device_id, "secret": secret}


@router.get("/search", response_model=list[DeviceOut])
def search_devices(account: Account, client: Client, q: str = Query(min_length=2, max_length=64)):
    resp = client.scan(
        TableName=DEVICES,
        FilterExpression="contains(label, :q)",
        ExpressionAttributeValues={":q": s(q)},
    )
    return [plain(i) for i in resp["Items"]]


@router.get("/{device_id}", response_model=DeviceOut)
def get_device(device_id: int, account: Account, client: Client):
    return plain(_owned_device(client, device_id, account))


@router.patch("/{device_id}", response_model=DeviceOut)
def patch_device(device_id: int, changes: dict[str, Any], account: Account, client: Client):
    if not changes:
        raise HTTPException(422, "nothing to change")
    values = {f":{k}": ({"N": str(v)} if isinstance(v, (int, float)) else {"S": str(v)})
              for k, v in changes.items()}
    values[":acct"] = s(account["account_id"])
    resp = client.update_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
        UpdateExpression="SET " + ", ".join(f"{k} = :{k}" for k in changes),
        ConditionExpression="account_id = :acct",
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return plain(resp["Attributes"])


@router.put("/{device_id}/settings", response_model=DeviceOut)
def put_settings(device_id: int, body: DeviceSettings, account: Account, client: Client):
    wanted = body.model_dump(exclude_none=True)
    fields = {k: wanted[k] for k in SETTABLE if k in wanted}
    if not fields:
        raise HTTPException(422, "nothing to change")
    values = {f":{k}": (n(v) if isinstance(v, int) else s(v)) for k, v in fields.items()}
    values[":acct"] = s(account["account_id"])
    resp = client.update_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
        UpdateExpression="SET " + ", ".join(f"{k} = :{k}" for k in fields),
        ConditionExpression="account_id = :acct",
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return plain(resp["Attributes"])


@router.delete("/{device_id}", status_code=204)
def decommission_device(device_id: int, account: Account, client: Client):
    _owned_device(client, device_id, account)
    client.delete_item(TableName=DEVICES, Key={"device_id": n(device_id)})


@router.get("/{device_id}/readings")
def readings(device_id: int, account: Account, client: Client,
             since: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    resp = client.query(
        TableName=READINGS,
        KeyConditionExpression="device_id = :d AND ts >= :since",
        ExpressionAttributeValues={":d": n(device_id), ":since": n(since)},
        ScanIndexForward=False,
        Limit=limit,
    )
    return {"items": resp["Items"], "next": resp.get("LastEvaluatedKey")}


@router.get("/{device_id}/readings/count")
def readings_count(device_id: int, account: Account, client: Client, since: int = Query(0, ge=0)):
    _owned_device(client, device_id, account)
    resp = client.query(
        TableName=READINGS,
        KeyConditionExpression="device_id = :d AND ts >= :since",
        ExpressionAttributeValues={":d": n(device_id), ":since": n(since)},
        Select="COUNT",
    )
    return {"device_id": device_id, "count": resp["Count"]}


@router.put("/{device_id}/alerts", status_code=204)
def put_alert_rule(device_id: int, rule: AlertRule, account: Account, client: Client):
    _owned_device(client, device_id, account)
    client.put_item(
        TableName=ALERTS,
        Item={
            "device_id": n(rule.device_id),
            "metric": s(rule.metric),
            "threshold": n(rule.threshold),
            "above": {"BOOL": rule.above},
            "account_id": s(account["account_id"]),
        },
    )


@router.get("/-/usage")
def usage(account: Account, client: Client):
    item = client.get_item(TableName=USAGE, Key={"account_id": account["account_id"]}).get("Item")
    return {"readings": int(item["readings"]["N"]) if item else 0}


class ReplaceIn(BaseModel):
    new_device_id: int = Field(ge=1, description="serial of the spare unit (factory-registered, unclaimed)")


@router.post("/{device_id}/replace", status_code=204)
def replace_device(device_id: int, body: ReplaceIn, account: Account, client: Client):
    """Swap a failed unit for a spare: retire the old one, claim the new one."""
    if body.new_device_id == device_id:
        raise HTTPException(422, "same device")
    try:
        client.transact_write_items(
            TransactItems=[
                {"Update": {
                    "TableName": DEVICES,
                    "Key": {"device_id": n(device_id)},
                    "UpdateExpression": "SET lifecycle = :retired, replaced_by = :new",
                    "ConditionExpression": "account_id = :a AND lifecycle = :active",
                    "ExpressionAttributeValues": {
                        ":retired": s("retired"), ":active": s("active"),
                        ":new": n(body.new_device_id), ":a": s(account["account_id"]),
                    },
                }},
                {"Update": {
                    "TableName": DEVICES,
                    "Key": {"device_id": n(body.new_device_id)},
                    "UpdateExpression": "SET account_id = :a, replaces = :old",
                    "ConditionExpression": "attribute_exists(device_id)",
                    "ExpressionAttributeValues": {
                        ":a": s(account["account_id"]), ":old": n(device_id),
                    },
                }},
            ]
        )
    except client.exceptions.TransactionCanceledException:
        raise HTTPException(409, "device cannot be replaced")
