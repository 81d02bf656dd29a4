"""Sign-up, sign-in, sign-out, the caller's profile, and the admin purge."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request, Response, status
from pynamodb.exceptions import PutError

from .models import Session, User, utcnow
from .schemas import LoginIn, ProfilePatch, SignupIn, UserOut
from .sessions import (
    SESSION_COOKIE,
    SESSION_TTL,
    AdminUser,
    CurrentSession,
    CurrentUser,
    db,
    pwd_context,
)

auth_router = APIRouter(prefix="/auth", tags=["auth"])
me_router = APIRouter(prefix="/me", tags=["me"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])


@auth_router.post("/signup", status_code=201, response_model=UserOut)
async def signup(body: SignupIn) -> UserOut:
    user = User(
        password_hash=pwd_context.hash(body.password),
        **body.model_dump(exclude={"password"}),
    )
    try:
        await db(user.save, condition=User.username.does_not_exist())
    except PutError:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="username taken")
    return UserOut(username=user.username, display_name=user.display_name)


@auth_router.post("/login")
async def login(body: LoginIn, request: Request, response: Response) -> dict:
    try:
        user = await db(User.get, body.username)
    except User.DoesNotExist:
        user = None
    if user is None or not pwd_context.verify(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    token = secrets.token_urlsafe(32)
    session = Session(
        token=token,
        username=user.username,
        expires_at=utcnow() + SESSION_TTL,
        user_agent=request.headers.get("user-agent", "")[:200],
    )
    await db(session.save, condition=Session.token.does_not_exist())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        secure=True,
        samesite="lax",
    )
    return {"username": user.username}


@auth_router.post("/logout", status_code=204)
async def logout(session: CurrentSession) -> Response:
    await db(session.delete, condition=Session.token.exists())
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@me_router.get("/")
async def read_me(user: CurrentUser):
    return user.attribute_values


@me_router.patch("/", response_model=UserOut)
async def update_me(body: ProfilePatch, user: CurrentUser) -> UserOut:
    user.update(
        actions=[User.display_name.set(body.display_name)],
        condition=User.username.exists(),
    )
    return UserOut(username=user.username, display_name=user.display_name)


def _purge_expired_sessions() -> int:
    removed = 0
    with Session.batch_write() as batch:
        for session in Session.scan(Session.expires_at < utcnow()):
            batch.delete(session)
            removed += 1
    return removed


@admin_router.post("/sessions/purge")
async def purge_sessions(admin: AdminUser) -> dict:
    removed = await db(_purge_expired_sessions)
    return {"removed": removed, "by": admin.username}
