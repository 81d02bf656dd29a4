"""Firebase ID tokens, verified by a callable dependency instance."""
from dataclasses import dataclass

import firebase_admin
from fastapi import HTTPException, Request, status
from firebase_admin import auth as firebase_auth

from .db import get_settings


@dataclass(frozen=True)
class FirebaseUser:
    uid: str
    email: str | None
    platform_admin: bool = False


def init_firebase() -> None:
    if not firebase_admin._apps:
        firebase_admin.initialize_app(options={"projectId": get_settings().firebase_project_id})


class FirebaseAuth:
    """`Depends(signed_in)`: verifies the bearer token with firebase_admin."""

    def __init__(self, *, require_admin: bool = False, check_revoked: bool = True) -> None:
        self.require_admin = require_admin
        self.check_revoked = check_revoked

    def __call__(self, request: Request) -> FirebaseUser:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            claims = firebase_auth.verify_id_token(token, check_revoked=self.check_revoked)
        except (firebase_auth.InvalidIdTokenError, firebase_auth.RevokedIdTokenError):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token",
                                headers={"WWW-Authenticate": "Bearer"})
        user = FirebaseUser(
            uid=claims["uid"],
            email=claims.get("email"),
            platform_admin=bool(claims.get("platform_admin")),
        )
        if self.require_admin and not user.platform_admin:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "platform administrators only")
        return user


signed_in = FirebaseAuth()
