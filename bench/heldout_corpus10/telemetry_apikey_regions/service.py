"""Device telemetry API: tenants call it with API keys; devices live in their home region."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from datetime import datetime, timezone
from functools import lru_cache
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

Region = Literal["eu", "us"]
REGION_NAMES: dict[str, str] = {"eu": "eu-west-1", "us": "us-east-2"}
HOME_REGION = os.environ.get("HOME_REGION", "eu")
KEY_PEPPER = os.environ["API_KEY_PEPPER"].encode()
ADMIN_TOKEN = os.environ["ADMIN_TOKEN"]


@lru_cache
def session_for(region: str) -> boto3.Session:
    return boto3.Session(region_name=REGION_NAMES[region])


@lru_cache
def table(region: str, name: str):
    return session_for(region).resource("dynamodb").Table(f"telemetry-{name}")


def home(name: str):
    return table(HOME_REGION, name)


def hash_key(raw: str) -> str:
    return hashlib.blake2b(raw.encode(), key=KEY_PEPPER, digest_size=32).hexdigest()


DeviceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{3,40}$")]


class Tenant(BaseModel):
    tenant_id: str
    name: str
    region: Region
    scopes: list[str] = []


class DeviceCreate(BaseModel):
    device_id: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$")
    name: str = Field(max_length=80)
    model: str = Field(max_length=40)


class DeviceReplace(BaseModel):
    device_id: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$")
    name: str = Field(max_length=80)
    model: str = Field(max_length=40)


class DeviceOut(BaseModel):
    device_id: str
    name: str
    model: str
    firmware: str | None = None
    lifecycle_state: str = "active"
    reading_count: int = 0
    last_seen: int | None = None


class ReadingIn(BaseModel):
    metric: str = Field(max_length=40)
    value: float
    at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class CommandIn(BaseModel):
    name: Literal["reboot", "sync", "locate"]
    args: dict[str, str] = {}


class AlertOut(BaseModel):
    alert_id: str
    tenant_id: str
    device_id: str
    message: str
    acked: bool = False


class FirmwareHook(BaseModel):
    tenant_id: str = Field(max_length=40)
    device_id: str = Field(max_length=40)
    firmware: str = Field(max_length=20)


class TenantCreate(BaseModel):
    tenant_id: str = Field(pattern=r"^[a-z0-9-]{3,30}$")
    name: str = Field(max_length=80)
    region: Region = "eu"


api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)


def verify_api_key(raw: Annotated[str | None, Security(api_key_header)]) -> dict[str, Any]:
    if not raw or len(raw) > 128:
        raise HTTPException(401, "missing API key", headers={"WWW-Authenticate": "ApiKey"})
    item = home("api-keys").get_item(Key={"key_hash": hash_key(raw)}).get("Item")
    if item is None or item.get("revoked"):
        raise HTTPException(401, "invalid API key", headers={"WWW-Authenticate": "ApiKey"})
    return item


def current_tenant(key: Annotated[dict[str, Any], Depends(verify_api_key)]) -> Tenant:
    item = home("tenants").get_item(Key={"tenant_id": key["tenant_id"]}).get("Item")
    if item is None:
        raise HTTPException(401, "tenant disabled")
    return Tenant.model_validate(item)


def verify_admin(x_admin_token: Annotated[str, Header()]) -> None:
    if not hmac.compare_digest(x_admin_token, ADMIN_TOKEN):
        raise HTTPException(403, "admins only")


CurrentTenant = Annotated[Tenant, Security(current_tenant)]

app = FastAPI(title="telemetry")
devices_router = APIRouter(prefix="/devices", tags=["devices"])
alerts_router = APIRouter(prefix="/alerts", tags=["alerts"])
admin_router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(verify_admin)])
hooks_router = APIRouter(prefix="/hooks", tags=["hooks"])


@app.exception_handler(ClientError)
async def dynamo_error(request: Request, exc: ClientError) -> JSONResponse:
    error = exc.response.get("Error", {})
    return JSONResponse(status_code=502, content={"error": error.get("Code"), "message": error.get("Message")})


@app.get("/tenant", response_model=Tenant)
def whoami(tenant: CurrentTenant) -> Tenant:
    return tenant


# --- devices ----------------------------------------------------------------------


@devices_router.post("", status_code=201, response_model=DeviceOut)
def register_device(body: DeviceCreate, tenant: CurrentTenant) -> DeviceOut:
    item = {**body.model_dump(mode="json"), "tenant_id": tenant.tenant_id, "lifecycle_state": "active", "reading_count": 0}
    try:
        table(tenant.region, "devices").put_item(
            Item=item, ConditionExpression="attribute_not_exists(device_id)"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "device already registered") from exc
        raise
    return DeviceOut.model_validate(item)


@devices_router.get("", response_model=list[DeviceOut])
def list_devices(
    tenant: CurrentTenant,
    attr: Annotated[str | None, Query(max_length=32)] = None,
    value: Annotated[str | None, Query(max_length=64)] = None,
) -> list[DeviceOut]:
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("tenant_id").eq(tenant.tenant_id)}
    if attr and value is not None:
        kwargs["FilterExpression"] = f"{attr} = :v"
        kwargs["ExpressionAttributeValues"] = {":v": value}
    out: list[DeviceOut] = []
    while True:
        page = table(tenant.region, "devices").query(**kwargs)
        out.extend(DeviceOut.model_validate(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@devices_router.get("/{device_id}", response_model=DeviceOut)
async def read_device(device_id: DeviceId, tenant: CurrentTenant) -> DeviceOut:
    devices = table(tenant.region, "devices")
    resp = await asyncio.to_thread(devices.get_item, Key={"tenant_id": tenant.tenant_id, "device_id": device_id})
    if "Item" not in resp:
        raise HTTPException(404, "no such device")
    return DeviceOut.model_validate(resp["Item"])


@devices_router.put("/{device_id}", response_model=DeviceOut)
def replace_device(device_id: DeviceId, body: DeviceReplace, tenant: CurrentTenant) -> DeviceOut:
    item = body.model_dump(mode="json")
    item["tenant_id"] = tenant.tenant_id
    table(tenant.region, "devices").put_item(Item=item, ConditionExpression="attribute_exists(device_id)")
    return DeviceOut.model_validate(item)


def store_reading(region: str, tenant_id: str, device_id: str, reading: dict[str, Any]) -> None:
    table(region, "readings").put_item(
        Item={"device_key": f"{tenant_id}#{device_id}", "reading_id": uuid4().hex, **reading},
        ConditionExpression="attribute_not_exists(reading_id)",
    )
    table(region, "devices").update_item(
        Key={"tenant_id": tenant_id, "device_id": device_id},
        UpdateExpression="SET last_seen = :now ADD reading_count :one",
        ConditionExpression="attribute_exists(device_id)",
        ExpressionAttributeValues={":now": int(time.time()), ":one": 1},
    )


@devices_router.post("/{device_id}/readings", status_code=202)
def post_reading(device_id: DeviceId, body: ReadingIn, tenant: CurrentTenant, tasks: BackgroundTasks) -> dict:
    tasks.add_task(store_reading, tenant.region, tenant.tenant_id, device_id, body.model_dump(mode="json"))
    return {"accepted": True}


@devices_router.get("/{device_id}/readings/count")
def count_readings(device_id: str, tenant: CurrentTenant) -> dict[str, int]:
    resp = table(tenant.region, "readings").query(
        KeyConditionExpression=Key("device_key").eq(f"{tenant.tenant_id}#{device_id}"),
        Select="COUNT",
    )
    return {"count": resp["Count"]}


@devices_router.post("/{device_id}/commands")
def queue_command(device_id: DeviceId, body: CommandIn, tenant: CurrentTenant) -> dict[str, int]:
    resp = table(tenant.region, "devices").update_item(
        Key={"tenant_id": tenant.tenant_id, "device_id": device_id},
        UpdateExpression="SET commands = list_append(if_not_exists(commands, :empty), :cmd)",
        ConditionExpression="attribute_exists(device_id) AND "
        "(attribute_not_exists(commands) OR attribute_type(commands, :list))",
        ExpressionAttributeValues={":empty": [], ":cmd": [body.model_dump(mode="json")], ":list": "L"},
        ReturnValues="UPDATED_NEW",
    )
    return {"queued": len(resp["Attributes"]["commands"])}


@devices_router.post("/{device_id}/decommission", status_code=204)
def decommission(device_id: DeviceId, tenant: CurrentTenant, reason: Annotated[str, Query(max_length=200)] = "") -> None:
    table(tenant.region, "devices").update_item(
        Key={"tenant_id": tenant.tenant_id, "device_id": device_id},
        UpdateExpression="SET lifecycle_state = :gone, comment = :why",
        ConditionExpression="attribute_exists(device_id)",
        ExpressionAttributeValues={":gone": "decommissioned", ":why": reason},
    )


@devices_router.post("/{device_id}/reactivate", status_code=204)
def reactivate(device_id: DeviceId, tenant: CurrentTenant) -> None:
    try:
        table(tenant.region, "devices").update_item(
            Key={"tenant_id": tenant.tenant_id, "device_id": device_id},
            UpdateExpression="SET lifecycle_state = :active",
            ConditionExpression="lifecycle_state = :suspended",
            ExpressionAttributeValues={":active": "active", ":suspended": "suspended"},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "device is not suspended") from exc
        raise


@devices_router.delete("/{device_id}", status_code=204)
def delete_device(device_id: DeviceId, tenant: CurrentTenant) -> None:
    try:
        table(tenant.region, "devices").delete_item(
            Key={"tenant_id": tenant.tenant_id, "device_id": device_id},
            ConditionExpression=Attr("lifecycle_state").eq("decommissioned"),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "decommission the device first") from exc
        raise


@devices_router.post("/{device_id}/move", response_model=DeviceOut)
def move_device(device_id: DeviceId, to: Region, tenant: CurrentTenant) -> DeviceOut:
    source = table(tenant.region, "devices")
    item = source.get_item(Key={"tenant_id": tenant.tenant_id, "device_id": device_id}).get("Item")
    if item is None:
        raise HTTPException(404, "no such device")
    if to == tenant.region:
        return DeviceOut.model_validate(item)
    table(to, "devices").put_item(Item=item, ConditionExpression="attribute_not_exists(device_id)")
    source.delete_item(Key={"tenant_id": tenant.tenant_id, "device_id": device_id})
    return DeviceOut.model_validate(item)


# --- alerts -----------------------------------------------------------------------


@alerts_router.get("/{alert_id}", response_model=AlertOut)
def read_alert(alert_id: UUID, tenant: CurrentTenant) -> AlertOut:
    item = table(tenant.region, "alerts").get_item(Key={"alert_id": str(alert_id)}).get("Item")
    if item is None:
        raise HTTPException(404, "no such alert")
    return AlertOut.model_validate(item)


@alerts_router.post("/{alert_id}/ack", status_code=204)
def ack_alert(alert_id: UUID, device_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{3,40}$")], tenant: CurrentTenant) -> None:
    alerts = table(tenant.region, "alerts")
    devices = table(tenant.region, "devices")
    alerts.meta.client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": alerts.name,
                    "Key": {"alert_id": str(alert_id)},
                    "UpdateExpression": "SET acked = :t, acked_at = :now",
                    "ConditionExpression": "acked = :f",
                    "ExpressionAttributeValues": {":t": True, ":f": False, ":now": int(time.time())},
                }
            },
            {
                "Update": {
                    "TableName": devices.name,
                    "Key": {"tenant_id": tenant.tenant_id, "device_id": device_id},
                    "UpdateExpression": "ADD open_alerts :minus",
                    "ConditionExpression": "open_alerts > :zero",
                    "ExpressionAttributeValues": {":minus": -1, ":zero": 0},
                }
            },
        ]
    )


@alerts_router.get("", response_model=list[AlertOut])
def recent_alerts(tenant: CurrentTenant, since: Annotated[int, Query(ge=0)] = 0) -> list[AlertOut]:
    resp = table(tenant.region, "alerts").scan(FilterExpression=Attr("raised_at").gte(since))
    return [AlertOut.model_validate(i) for i in resp["Items"]]


# --- CI webhook -------------------------------------------------------------------


@hooks_router.post("/firmware", status_code=204)
def firmware_released(body: FirmwareHook, x_hook_source: Annotated[str, Header()] = "") -> None:
    if x_hook_source != "ci":
        raise HTTPException(400, "unknown source")
    owner = home("tenants").get_item(Key={"tenant_id": body.tenant_id}).get("Item")
    if owner is None:
        raise HTTPException(404, "no such tenant")
    table(owner["region"], "devices").update_item(
        Key={"tenant_id": body.tenant_id, "device_id": body.device_id},
        UpdateExpression="SET firmware = :fw",
        ConditionExpression="attribute_exists(device_id)",
        ExpressionAttributeValues={":fw": body.firmware},
    )


# --- admin (router-level dependency that returns nothing) ----------------------------


@admin_router.post("/tenants", status_code=201)
def create_tenant(body: TenantCreate) -> dict[str, str]:
    raw_key = f"tk_{uuid4().hex}{uuid4().hex}"
    tenants = home("tenants")
    tenants.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": tenants.name,
                    "Item": {**body.model_dump(mode="json"), "scopes": ["devices"]},
                    "ConditionExpression": "attribute_not_exists(tenant_id)",
                }
            },
            {
                "Put": {
                    "TableName": home("api-keys").name,
                    "Item": {"key_hash": hash_key(raw_key), "tenant_id": body.tenant_id, "revoked": False},
                    "ConditionExpression": "attribute_not_exists(key_hash)",
                }
            },
        ]
    )
    return {"tenant_id": body.tenant_id, "api_key": raw_key}


@admin_router.get("/devices/{region}", response_model=list[DeviceOut])
def all_devices(region: Region) -> list[DeviceOut]:
    kwargs: dict[str, Any] = {}
    out: list[DeviceOut] = []
    while True:
        page = table(region, "devices").scan(**kwargs)
        out.extend(DeviceOut.model_validate(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@admin_router.post("/keys/{key_hash}/revoke", status_code=204)
def revoke_key(key_hash: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]) -> None:
    home("api-keys").update_item(
        Key={"key_hash": key_hash},
        UpdateExpression="SET revoked = :t",
        ConditionExpression="attribute_exists(key_hash)",
        ExpressionAttributeValues={":t": True},
    )


app.include_router(devices_router)
app.include_router(alerts_router)
app.include_router(hooks_router)
app.include_router(admin_router)
