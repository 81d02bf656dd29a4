"""Auth0 access tokens: RS256, verified against the tenant's JWKS."""
import os
from dataclasses import dataclass
from functools import lru_cache

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

AUTH0_DOMAIN = os.environ.get("AUTH0_DOMAIN", "billing-dev.eu.auth0.com")
API_AUDIENCE = os.environ.get("API_AUDIENCE", "https://api.billing.example.com")
ORG_CLAIM = "https://billing.example.com/org_id"

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Principal:
    sub: str
    org_id: str
    permissions: frozenset


@lru_cache
def jwks_client() -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


def require_user(creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token")
    try:
        signing_key = jwks_client().get_signing_key_from_jwt(creds.credentials)
        claims = jwt.decode(
            creds.credentials,
            signing_key.key,
            algorithms=["RS256"],
            audience=API_AUDIENCE,
            issuer=f"https://{AUTH0_DOMAIN}/",
        )
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    org_id = claims.get(ORG_CLAIM)
    if not org_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "token carries no organization")
    return Principal(
        sub=claims["sub"],
        org_id=org_id,
        permissions=frozenset(claims.get("permissions", [])),
    )


def require_permission(permission: str):
    """Dependency factory: the Auth0 RBAC `permissions` claim must hold `permission`."""

    def checker(principal: Principal = Depends(require_user)) -> Principal:
        if permission not in principal.permissions:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing permission {permission}")
        return principal

    return checker
