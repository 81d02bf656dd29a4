"""Server-side sessions: an opaque random token in an HttpOnly cookie.

The token is the key of an item in the sessions table; logging out deletes the
item, so a stolen cookie dies with the session (unlike a JWT).
"""
from __future__ import annotations

import asyncio
import functools
from datetime import timedelta
from typing import Annotated, Any, Callable

from fastapi import Cookie, Depends, HTTPException, status
from passlib.context import CryptContext

from .models import Session, User, utcnow

SESSION_COOKIE = "nb_session"
SESSION_TTL = timedelta(hours=12)

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")


async def db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a blocking PynamoDB call on the default thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


def collect(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list:
    """Drain a PynamoDB result iterator (query/scan page through lazily)."""
    return list(fn(*args, **kwargs))


def _no_session() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="not signed in",
        headers={"WWW-Authenticate": "Cookie"},
    )


async def current_session(
    nb_session: Annotated[str | None, Cookie(max_length=64)] = None,
) -> Session:
    if not nb_session:
        raise _no_session()
    try:
        session = await db(Session.get, nb_session)
    except Session.DoesNotExist:
        raise _no_session()
    if session.expires_at <= utcnow():
        raise _no_session()
    return session


async def current_user(session: Annotated[Session, Depends(current_session)]) -> User:
    try:
        return await db(User.get, session.username)
    except User.DoesNotExist:
        raise _no_session()


async def require_admin(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="admins only")
    return user


CurrentSession = Annotated[Session, Depends(current_session)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(require_admin)]
