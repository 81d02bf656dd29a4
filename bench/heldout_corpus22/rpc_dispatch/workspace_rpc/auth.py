"""Cognito access tokens, verified against the user pool's JWKS."""
import asyncio
import time
from dataclasses import dataclass

import httpx
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt

from .db import settings

bearer = HTTPBearer(auto_error=False)

_jwks: dict[str, dict] = {}
_jwks_fetched_at = 0.0
_jwks_lock = asyncio.Lock()


@dataclass(frozen=True)
class Caller:
    sub: str
    username: str
    groups: tuple[str, ...] = ()


def _unauthorized(detail: str = "invalid token") -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def _signing_keys(force: bool = False) -> dict[str, dict]:
    global _jwks, _jwks_fetched_at
    async with _jwks_lock:
        stale = time.monotonic() - _jwks_fetched_at > settings.jwks_ttl_seconds
        if force or stale or not _jwks:
            async with httpx.AsyncClient(timeout=5.0) as http:
                resp = await http.get(f"{settings.issuer}/.well-known/jwks.json")
                resp.raise_for_status()
            _jwks = {key["kid"]: key for key in resp.json()["keys"]}
            _jwks_fetched_at = time.monotonic()
        return _jwks


async def verify_access_token(token: str) -> Caller:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except JWTError:
        raise _unauthorized()
    keys = await _signing_keys()
    if kid not in keys:
        # the pool may have rotated its keys since we cached them
        keys = await _signing_keys(force=True)
    key = keys.get(kid)
    if key is None:
        raise _unauthorized()
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=settings.issuer,
            options={"verify_aud": False},  # access tokens carry client_id, not aud
        )
    except JWTError:
        raise _unauthorized()
    if claims.get("token_use") != "access" or claims.get("client_id") != settings.app_client_id:
        raise _unauthorized()
    return Caller(
        sub=claims["sub"],
        username=claims.get("username", claims["sub"]),
        groups=tuple(claims.get("cognito:groups", ())),
    )


async def optional_caller(
    creds: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Caller | None:
    if creds is None:
        return None
    return await verify_access_token(creds.credentials)


async def current_caller(caller: Caller | None = Depends(optional_caller)) -> Caller:
    if caller is None:
        raise _unauthorized("missing bearer token")
    return caller
