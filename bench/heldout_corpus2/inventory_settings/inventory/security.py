import hashlib
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader

from .repositories import ApiKeyRepository

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True)
class Principal:
    key_id: str
    tenant_id: str
    role: str


def require_api_key(api_key: str | None = Security(api_key_header),
                    keys: ApiKeyRepository = Depends(ApiKeyRepository)) -> Principal:
    if not api_key:
        raise HTTPException(401, "Missing API key")
    record = keys.get(key_hash=hashlib.sha256(api_key.encode()).hexdigest())
    if record is None or not record.get("enabled", False):
        raise HTTPException(401, "Invalid API key")
    return Principal(record["key_id"], record["tenant_id"], record.get("role", "member"))


def require_admin(principal: Principal = Depends(require_api_key)) -> Principal:
    if principal.role != "admin":
        raise HTTPException(403, "Admin role required")
    return principal
