"""API-key authentication: X-API-Key header, hashed, looked up in DynamoDB."""
import hashlib
from typing import Annotated, Callable

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import APIKeyHeader

from .models import ApiKey

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate(raw: Annotated[str | None, Security(api_key_header)]) -> ApiKey:
    if not raw:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing API key")
    try:
        key = ApiKey.get(hash_key(raw))
    except ApiKey.DoesNotExist:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    if key.revoked:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    return key


def require_scope(scope: str) -> Callable[..., ApiKey]:
    """Dependency factory: the key must carry `scope`."""

    def checker(key: Annotated[ApiKey, Depends(authenticate)]) -> ApiKey:
        if scope not in (key.scopes or set()):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"scope {scope} required")
        return key

    return checker


ReadKey = Annotated[ApiKey, Depends(require_scope("projects:read"))]
WriteKey = Annotated[ApiKey, Depends(require_scope("projects:write"))]
KeysAdmin = Annotated[ApiKey, Depends(require_scope("keys:write"))]
PlatformAdmin = Annotated[ApiKey, Depends(require_scope("platform:admin"))]
