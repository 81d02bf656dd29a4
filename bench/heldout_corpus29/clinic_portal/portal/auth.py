"""Cognito ID tokens: verified against the user pool's JWKS; roles are groups."""
import json
import urllib.request
from functools import lru_cache
from typing import List, Optional

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt
from pydantic import BaseModel

from .settings import get_settings

PATIENT = "patients"
DOCTOR = "doctors"
RECEPTION = "reception"

bearer = HTTPBearer()


class CurrentUser(BaseModel):
    sub: str
    email: Optional[str] = None
    groups: List[str] = []
    mrn: Optional[str] = None

    def has(self, group: str) -> bool:
        return group in self.groups


@lru_cache(maxsize=1)
def _jwks() -> dict:
    with urllib.request.urlopen(get_settings().jwks_url, timeout=5) as resp:
        return json.load(resp)


def current_user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> CurrentUser:
    settings = get_settings()
    token = creds.credentials
    try:
        header = jwt.get_unverified_header(token)
        key = next(k for k in _jwks()["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=settings.cognito_client_id,
            issuer=settings.issuer,
        )
    except (JWTError, StopIteration, KeyError):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    if claims.get("token_use") != "id":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "an ID token is required")
    return CurrentUser(
        sub=claims["sub"],
        email=claims.get("email"),
        groups=claims.get("cognito:groups", []),
        mrn=claims.get("custom:mrn"),
    )


def require_role(*roles: str):
    def checker(user: CurrentUser = Depends(current_user)) -> CurrentUser:
        if not any(user.has(r) for r in roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "insufficient role")
        return user

    return checker
