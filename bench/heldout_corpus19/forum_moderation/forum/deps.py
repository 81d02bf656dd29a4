import os
from dataclasses import dataclass

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from .models import Moderator

JWT_SECRET = os.environ["FORUM_JWT_SECRET"]
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")


@dataclass(frozen=True)
class Viewer:
    user_id: str
    display_name: str


def current_viewer(token: str = Depends(oauth2_scheme)) -> Viewer:
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience="forum")
    except jwt.PyJWTError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Viewer(user_id=claims["sub"], display_name=claims.get("name", "anonymous"))


def require_moderator(viewer: Viewer = Depends(current_viewer)) -> Viewer:
    # the moderator list changes often, so it is looked up on every request
    try:
        Moderator.get(viewer.user_id)
    except Moderator.DoesNotExist:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "moderators only")
    return viewer
