"""API keys of the calling tenant."""
from __future__ import annotations

import secrets
from typing import Annotated

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, status

from ..config import KEY_PREFIX
from ..db import Tables, tables, utcnow
from ..deps import Tenant, hash_key, require_scope
from ..schemas import KeyCreate, KeyCreated, KeyOut

router = APIRouter(prefix="/keys", tags=["keys"])

KeyHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post("", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
async def create_key(
    body: KeyCreate,
    tenant: Tenant = Depends(require_scope("keys:write")),
    t: Tables = Depends(tables),
):
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    digest = hash_key(raw)
    await t.keys.put_item(
        Item={
            "key_hash": digest,
            "tenant_id": tenant.tenant_id,
            "label": body.label,
            "scopes": body.scopes,
            "created_at": utcnow(),
            "revoked": False,
        },
        ConditionExpression="attribute_not_exists(key_hash)",
    )
    return KeyCreated(key=raw, key_hash=digest, label=body.label, scopes=body.scopes)


@router.get("", response_model=list[KeyOut])
async def list_keys(
    tenant: Tenant = Depends(require_scope("keys:write")),
    t: Tables = Depends(tables),
):
    out = []
    query = {
        "IndexName": "by-tenant",
        "KeyConditionExpression": Key("tenant_id").eq(tenant.tenant_id),
    }
    while True:
        page = await t.keys.query(**query)
        out.extend(KeyOut(**k) for k in page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.delete("/{key_hash}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_key(
    key_hash: KeyHash,
    tenant: Tenant = Depends(require_scope("keys:write")),
    t: Tables = Depends(tables),
):
    if key_hash == tenant.key_hash:
        raise HTTPException(status.HTTP_409_CONFLICT, "cannot delete the key in use")
    try:
        await t.keys.delete_item(
            Key={"key_hash": key_hash},
            ConditionExpression="#tenant = :me",
            ExpressionAttributeNames={"#tenant": "tenant_id"},
            ExpressionAttributeValues={":me": tenant.tenant_id},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such key")
        raise
