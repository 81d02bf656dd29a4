import hmac
import os
from dataclasses import dataclass, field
from typing import List

import jwt
from fastapi import Depends, Header, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

JWT_SECRET = os.environ.get("JWT_SECRET", "change-me")
JWT_ALGORITHM = "HS256"
CRON_TOKEN = os.environ.get("CRON_TOKEN", "")

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")


class AuthError(Exception):
    pass


@dataclass
class User:
    id: str
    email: str
    roles: List[str] = field(default_factory=list)


def user_from_token(token: str) -> User:
    try:
        payload = jwt.decode(token, JWT_SECRET, algorithms=[JWT_ALGORITHM])
    except jwt.InvalidTokenError as exc:
        raise AuthError("invalid token") from exc
    if "sub" not in payload:
        raise AuthError("token has no subject")
    return User(id=payload["sub"], email=payload.get("email", ""), roles=payload.get("roles", []))


def get_current_user(token: str = Depends(oauth2_scheme)) -> User:
    try:
        return user_from_token(token)
    except AuthError:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )


def require_ops(user: User = Depends(get_current_user)) -> User:
    if not any(r in ("admin", "ops") for r in user.roles):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Operations staff only")
    return user


def verify_cron(x_cron_token: str = Header(...)) -> None:
    if not CRON_TOKEN or not hmac.compare_digest(x_cron_token, CRON_TOKEN):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Bad cron token")
