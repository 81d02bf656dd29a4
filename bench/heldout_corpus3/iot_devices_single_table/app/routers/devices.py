import hashlib
import secrets
import time
from typing import Optional

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query

from ..db import decode_token, device_sk, dynamodb, encode_token, org_pk, table, update_fields, TABLE_NAME
from ..schemas import (
    DeviceCreate,
    DeviceIdPath,
    DeviceLookup,
    DeviceOut,
    DevicePage,
    DeviceRegistered,
    FirmwarePatch,
    OrgIdPath,
    RenameIn,
    TagsPatch,
)
from ..security import Principal, get_principal, require_member, require_org_admin

router = APIRouter(prefix="/orgs/{org_id}/devices", tags=["devices"])


@router.get("", response_model=DevicePage)
def list_devices(
    org_id: OrgIdPath,
    limit: int = Query(25, ge=1, le=100),
    next_token: Optional[str] = None,
    principal: Principal = Depends(get_principal),
):
    require_member(org_id, principal)
    kwargs = {
        "KeyConditionExpression": Key("pk").eq(org_pk(org_id)) & Key("sk").begins_with("DEVICE#"),
        "Limit": limit,
    }
    start = decode_token(next_token)
    if start:
        kwargs["ExclusiveStartKey"] = start
    resp = table.query(**kwargs)
    return {"items": resp.get("Items", []), "next_token": encode_token(resp.get("LastEvaluatedKey"))}


@router.post("", response_model=DeviceRegistered, status_code=201)
def register_device(org_id: OrgIdPath, body: DeviceCreate, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    device_key = secrets.token_urlsafe(32)
    item = {
        "pk": org_pk(org_id),
        "sk": device_sk(body.device_id),
        "gsi1pk": f"DEVICE#{body.device_id}",
        "device_id": body.device_id,
        "org_id": org_id,
        "name": body.name,
        "model": body.model,
        "status": "provisioned",
        "firmware_channel": "stable",
        "key_hash": hashlib.sha256(device_key.encode()).hexdigest(),
        "created_by": principal.user_id,
    }
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "Device already registered")
        raise
    return {"device_id": body.device_id, "name": body.name, "device_key": device_key}


@router.post("/lookup", response_model=list[DeviceOut])
def lookup_devices(org_id: OrgIdPath, body: DeviceLookup, principal: Principal = Depends(get_principal)):
    require_member(org_id, principal)
    keys = [{"pk": org_pk(org_id), "sk": device_sk(d)} for d in set(body.device_ids)]
    if not keys:
        return []
    resp = dynamodb.batch_get_item(RequestItems={TABLE_NAME: {"Keys": keys}})
    return resp["Responses"].get(TABLE_NAME, [])


@router.get("/{device_id}", response_model=DeviceOut)
def get_device(org_id: OrgIdPath, device_id: DeviceIdPath, principal: Principal = Depends(get_principal)):
    require_member(org_id, principal)
    resp = table.get_item(Key={"pk": org_pk(org_id), "sk": device_sk(device_id)})
    if "Item" not in resp:
        raise HTTPException(404, "Device not found")
    return resp["Item"]


@router.patch("/{device_id}/firmware", response_model=DeviceOut)
def set_firmware(
    org_id: OrgIdPath,
    device_id: DeviceIdPath,
    body: FirmwarePatch,
    principal: Principal = Depends(get_principal),
):
    require_member(org_id, principal)
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(400, "Nothing to update")
    return update_fields(org_pk(org_id), device_sk(device_id), changes)


@router.put("/{device_id}/tags", response_model=DeviceOut)
def set_tags(org_id: OrgIdPath, device_id: DeviceIdPath, body: TagsPatch, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    changes = {f"tag_{k}": v for k, v in body.tags.items()}
    return update_fields(org_pk(org_id), device_sk(device_id), changes)


@router.post("/{device_id}/rename", response_model=DeviceOut)
def rename_device(org_id: OrgIdPath, device_id: DeviceIdPath, body: RenameIn, principal: Principal = Depends(get_principal)):
    require_member(org_id, principal)
    try:
        resp = table.update_item(
            Key={"pk": org_pk(org_id), "sk": device_sk(device_id)},
            UpdateExpression="SET name = :n",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":n": body.name},
            ReturnValues="ALL_NEW",
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(404, "Device not found")
    return resp["Attributes"]


@router.post("/{device_id}/decommission", response_model=DeviceOut)
def decommission_device(org_id: OrgIdPath, device_id: DeviceIdPath, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    try:
        resp = table.update_item(
            Key={"pk": org_pk(org_id), "sk": device_sk(device_id)},
            UpdateExpression="SET #st = :d, decommissioned_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":d": "decommissioned", ":now": int(time.time())},
            ReturnValues="ALL_NEW",
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(404, "Device not found")
    return resp["Attributes"]


@router.delete("/{device_id}", status_code=204)
def delete_device(org_id: OrgIdPath, device_id: DeviceIdPath, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    try:
        table.delete_item(
            Key={"pk": org_pk(org_id), "sk": device_sk(device_id)},
            ConditionExpression="#st = :d",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":d": "decommissioned"},
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "Only decommissioned devices can be deleted")
