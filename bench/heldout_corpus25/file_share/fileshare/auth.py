from dataclasses import dataclass
from functools import lru_cache

import httpx
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt

from . import config

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class User:
    sub: str
    email: str | None
    groups: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return config.ADMIN_GROUP in self.groups


@lru_cache(maxsize=1)
def _jwks() -> dict:
    resp = httpx.get(f"{config.COGNITO_ISSUER}/.well-known/jwks.json", timeout=5)
    resp.raise_for_status()
    return {k["kid"]: k for k in resp.json()["keys"]}


def _decode_id_token(token: str) -> dict:
    header = jwt.get_unverified_header(token)
    key = _jwks().get(header.get("kid"))
    if key is None:
        raise JWTError("unknown kid")
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=config.COGNITO_APP_CLIENT_ID,
        issuer=config.COGNITO_ISSUER,
        options={"verify_at_hash": False},
    )
    if claims.get("token_use") != "id":
        raise JWTError("not an id token")
    return claims


def current_user(creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing token")
    try:
        claims = _decode_id_token(creds.credentials)
    except JWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    return User(
        sub=claims["sub"],
        email=claims.get("email"),
        groups=tuple(claims.get("cognito:groups", [])),
    )


def require_admin(user: User = Depends(current_user)) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user
