"""Auth0 access tokens, verified with authlib against the tenant's JWKS."""
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import httpx
from authlib.jose import JsonWebKey, JsonWebToken, KeySet
from authlib.jose.errors import JoseError
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .settings import get_settings

_jwt = JsonWebToken(["RS256"])
_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Caller:
    sub: str
    permissions: frozenset[str]


@lru_cache(maxsize=1)
def jwks() -> KeySet:
    resp = httpx.get(f"https://{get_settings().auth0_domain}/.well-known/jwks.json", timeout=5.0)
    resp.raise_for_status()
    return JsonWebKey.import_key_set(resp.json())


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def current_caller(creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Caller:
    if creds is None:
        raise _unauthorized("missing bearer token")
    settings = get_settings()
    options = {
        "iss": {"essential": True, "value": f"https://{settings.auth0_domain}/"},
        "aud": {"essential": True, "value": settings.auth0_audience},
        "sub": {"essential": True},
    }
    try:
        claims = _jwt.decode(creds.credentials, jwks(), claims_options=options)
        claims.validate(leeway=30)
    except JoseError:
        raise _unauthorized("invalid token")
    return Caller(sub=claims["sub"], permissions=frozenset(claims.get("permissions", [])))


CallerDep = Annotated[Caller, Depends(current_caller)]


def billing_admin(caller: CallerDep) -> Caller:
    if "billing:manage" not in caller.permissions:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing permission billing:manage")
    return caller


BillingAdmin = Annotated[Caller, Depends(billing_admin)]
