"""API-key authentication: the key's sha256 is looked up in the keys table."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import APIKeyHeader

from .config import KEY_PREFIX
from .db import Tables, tables

api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    key_hash: str
    scopes: frozenset


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


async def current_tenant(
    api_key: Optional[str] = Security(api_key_header),
    t: Tables = Depends(tables),
) -> Tenant:
    if not api_key or not api_key.startswith(KEY_PREFIX) or len(api_key) > 128:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or malformed API key")
    digest = hash_key(api_key)
    resp = await t.keys.get_item(Key={"key_hash": digest})
    record = resp.get("Item")
    if record is None or record.get("revoked"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown API key")
    return Tenant(
        tenant_id=record["tenant_id"],
        key_hash=digest,
        scopes=frozenset(record.get("scopes", [])),
    )


def require_scope(scope: str):
    async def _checker(tenant: Tenant = Depends(current_tenant)) -> Tenant:
        if scope not in tenant.scopes:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"scope {scope!r} required")
        return tenant

    return _checker
