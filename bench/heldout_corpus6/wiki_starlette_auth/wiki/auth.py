"""Starlette authentication backend: bearer JWTs from the company IdP."""
import os

import jwt
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection

from .db import users

JWT_PUBLIC_KEY = os.environ.get("JWT_PUBLIC_KEY", "")
JWT_AUDIENCE = os.environ.get("JWT_AUDIENCE", "wiki")
ADMIN_GROUP = "wiki-admins"


class WikiUser(BaseUser):
    def __init__(self, sub: str, email: str, groups: list[str]):
        self.sub = sub
        self.email = email
        self.groups = groups

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.email

    @property
    def identity(self) -> str:
        return self.sub


class BearerTokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection):
        header = conn.headers.get("Authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("invalid authorization header")
        try:
            claims = jwt.decode(token, JWT_PUBLIC_KEY, algorithms=["RS256"], audience=JWT_AUDIENCE)
        except jwt.PyJWTError:
            raise AuthenticationError("invalid token")
        profile = users.get_item(Key={"sub": claims["sub"]}).get("Item")
        if profile is not None and profile.get("disabled"):
            raise AuthenticationError("account disabled")
        groups = claims.get("groups", [])
        scopes = ["authenticated"]
        if ADMIN_GROUP in groups:
            scopes.append("admin")
        return AuthCredentials(scopes), WikiUser(claims["sub"], claims.get("email", ""), groups)
