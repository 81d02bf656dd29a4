import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Cookie, Depends, HTTPException, status

from .models import Session, User, utcnow

COOKIE_NAME = "sd_session"
SESSION_TTL = timedelta(hours=12)
PEPPER = os.environ.get("SUPPORT_PASSWORD_PEPPER", "")


def hash_password(password: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", (password + PEPPER).encode(), salt.encode(), 200_000)
    return f"{salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_password(password, salt), stored)


def open_session(user: User, user_agent: str | None) -> Session:
    session = Session(
        secrets.token_urlsafe(32),
        user_id=user.user_id,
        expires_at=utcnow() + SESSION_TTL,
        user_agent=(user_agent or "")[:200],
    )
    session.save(condition=Session.token.does_not_exist())
    return session


def current_session(sd_session: Annotated[str | None, Cookie(max_length=64)] = None) -> Session:
    if not sd_session:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")
    try:
        session = Session.get(sd_session)
    except Session.DoesNotExist:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")
    if session.expires_at <= utcnow():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "session expired")
    return session


def current_user(session: Annotated[Session, Depends(current_session)]) -> User:
    try:
        return User.get(session.user_id)
    except User.DoesNotExist:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")


CurrentSession = Annotated[Session, Depends(current_session)]
CurrentUser = Annotated[User, Depends(current_user)]
