import hashlib
import hmac
import time
from typing import Optional

from boto3.dynamodb.conditions import Attr, Key
from fastapi import APIRouter, Depends, Header, HTTPException

from ..db import decode_token, device_sk, encode_token, find_device, org_pk, table
from ..schemas import DeviceOut, TelemetryIn
from ..security import Principal, get_principal, list_members, require_member

router = APIRouter(tags=["telemetry"])


@router.post("/ingest/{device_id}", status_code=202)
async def ingest(device_id: str, payload: TelemetryIn, x_device_key: str = Header(...)):
    device = find_device(device_id)
    if device is None:
        raise HTTPException(404, "Unknown device")
    presented = hashlib.sha256(x_device_key.encode()).hexdigest()
    if not hmac.compare_digest(presented, device["key_hash"]):
        raise HTTPException(401, "Bad device key")
    table.put_item(
        Item={
            "pk": f"DEVICE#{device['device_id']}",
            "sk": f"TS#{payload.ts:013d}",
            "metrics": {k: str(v) for k, v in payload.metrics.items()},
            "expires_at": int(time.time()) + 30 * 86400,
        },
        ConditionExpression="attribute_not_exists(sk)",
    )
    table.update_item(
        Key={"pk": device["pk"], "sk": device["sk"]},
        UpdateExpression="SET last_seen = :ts, #st = :st",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":ts": payload.ts, ":st": payload.status or "online"},
    )
    return {"accepted": True}


@router.get("/orgs/{org_id}/devices/{device_id}/telemetry")
def read_telemetry(
    org_id: str,
    device_id: str,
    next_token: Optional[str] = None,
    principal: Principal = Depends(get_principal),
):
    require_member(org_id, principal)
    owned = table.get_item(Key={"pk": org_pk(org_id), "sk": device_sk(device_id)}, ProjectionExpression="pk")
    if "Item" not in owned:
        raise HTTPException(404, "Device not found")
    kwargs = {"KeyConditionExpression": Key("pk").eq(f"DEVICE#{device_id}"), "ScanIndexForward": False, "Limit": 200}
    start = decode_token(next_token)
    if start:
        kwargs["ExclusiveStartKey"] = start
    resp = table.query(**kwargs)
    return {"items": resp["Items"], "next_token": encode_token(resp.get("LastEvaluatedKey"))}


@router.get("/devices/search")
def search_devices(q: str, principal: Principal = Depends(get_principal)):
    resp = table.scan(FilterExpression=Attr("sk").begins_with("DEVICE#") & Attr("name").contains(q))
    return resp["Items"]


@router.get("/devices/{device_id}", response_model=DeviceOut)
def resolve_device(device_id: str, principal: Principal = Depends(get_principal)):
    device = find_device(device_id)
    if device is None:
        raise HTTPException(404, "Device not found")
    if not any(m.get("user_id") == principal.user_id for m in list_members(device["org_id"])):
        raise HTTPException(403, "Not a member of the device's organization")
    return device


@router.get("/admin/devices", response_model=list[DeviceOut])
def all_devices(principal: Principal = Depends(get_principal)):
    if not principal.platform_admin:
        raise HTTPException(403, "Platform admins only")
    items, kwargs = [], {"FilterExpression": Attr("sk").begins_with("DEVICE#")}
    while True:
        resp = table.scan(**kwargs)
        items.extend(resp.get("Items", []))
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
