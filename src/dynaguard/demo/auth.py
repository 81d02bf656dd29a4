"""Real authentication for both demo apps: a login route that issues signed JWT bearer tokens."""

from __future__ import annotations

import hmac
import time
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from dynaguard.demo.settings import USERS, jwt_secret

ALGORITHM = "HS256"
TOKEN_TTL = 3600

router = APIRouter(prefix="/auth", tags=["auth"])
_bearer = HTTPBearer(auto_error=False)


class Login(BaseModel):
    """Credentials posted to /auth/login."""

    model_config = ConfigDict(extra="forbid")
    username: str
    password: str


class Token(BaseModel):
    """An OAuth2-style bearer token answer."""

    access_token: str
    token_type: str = "bearer"


def issue_token(username: str) -> str:
    """A signed token for a user, valid for TOKEN_TTL seconds."""
    now = int(time.time())
    claims = {"sub": username, "iat": now, "exp": now + TOKEN_TTL}
    return jwt.encode(claims, jwt_secret(), algorithm=ALGORITHM)


@router.post("/login", response_model=Token)
def login(body: Login) -> Token:
    """Exchange a demo user's password for a bearer token."""
    expected = USERS.get(body.username)
    # compare_digest on both branches so timing does not reveal which usernames exist
    ok = hmac.compare_digest(body.password, expected or "\x00" * len(body.password))
    if expected is None or not ok:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid username or password")
    return Token(access_token=issue_token(body.username))


def get_current_user(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The authenticated username from a valid bearer token, else 401."""
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "missing or invalid bearer token",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if creds is None:
        raise unauthorized
    try:
        claims = jwt.decode(creds.credentials, jwt_secret(), algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise unauthorized from None
    user = claims.get("sub")
    if not isinstance(user, str) or user not in USERS:
        raise unauthorized
    return user


CurrentUser = Annotated[str, Depends(get_current_user)]
