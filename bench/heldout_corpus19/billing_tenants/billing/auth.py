import hashlib
import hmac
import os
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import APIKeyHeader

from .db import KEYS, ORGS, from_ddb, get_ddb

api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)
admin_token_header = APIKeyHeader(name="X-Internal-Token", auto_error=False)
INTERNAL_TOKEN = os.environ["BILLING_INTERNAL_TOKEN"]


@dataclass
class Principal:
    org_id: str
    key_hash: str
    plan: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def current_org(raw_key: str | None = Security(api_key_header), ddb=Depends(get_ddb)) -> Principal:
    if not raw_key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing API key")
    digest = hash_key(raw_key)
    resp = await ddb.get_item(TableName=KEYS, Key={"key_hash": {"S": digest}})
    key = resp.get("Item")
    if key is None or key.get("revoked", {}).get("BOOL"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    org_id = key["org_id"]["S"]
    org = await ddb.get_item(TableName=ORGS, Key={"org_id": {"S": org_id}})
    if "Item" not in org:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    return Principal(org_id=org_id, key_hash=digest, plan=from_ddb(org["Item"]).get("plan", "free"))


async def require_internal(token: str | None = Security(admin_token_header)) -> None:
    if not token or not hmac.compare_digest(token, INTERNAL_TOKEN):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "internal only")
