import os
from dataclasses import dataclass, field

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

JWKS_URL = os.environ["AUTH_JWKS_URL"]
AUDIENCE = os.environ.get("AUTH_AUDIENCE", "orders-api")

_jwks = jwt.PyJWKClient(JWKS_URL, cache_keys=True)
_bearer = HTTPBearer()


@dataclass
class Principal:
    sub: str
    roles: list[str] = field(default_factory=list)


def current_principal(
    creds: HTTPAuthorizationCredentials = Depends(_bearer),
) -> Principal:
    try:
        signing_key = _jwks.get_signing_key_from_jwt(creds.credentials)
        claims = jwt.decode(
            creds.credentials,
            signing_key.key,
            algorithms=["RS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    return Principal(sub=claims["sub"], roles=claims.get("roles", []))


def require_role(role: str):
    def checker(principal: Principal = Depends(current_principal)) -> Principal:
        if role not in principal.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing role")
        return principal

    return checker
