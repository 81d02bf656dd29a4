"""Keycloak authentication.

The SPA logs in against Keycloak with the authorization-code flow (PKCE) and
sends the access token as a bearer token. We verify it locally against the
realm's public key; nothing is stored on our side.
"""
import os
from functools import lru_cache
from typing import List

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2AuthorizationCodeBearer
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError
from pydantic import BaseModel

KEYCLOAK_URL = os.environ.get("KEYCLOAK_URL", "http://localhost:8080/")
KEYCLOAK_REALM = os.environ.get("KEYCLOAK_REALM", "workbench")
KEYCLOAK_CLIENT_ID = os.environ.get("KEYCLOAK_CLIENT_ID", "workbench-api")

keycloak_openid = KeycloakOpenID(
    server_url=KEYCLOAK_URL,
    realm_name=KEYCLOAK_REALM,
    client_id=KEYCLOAK_CLIENT_ID,
    verify=True,
)

oauth2_scheme = OAuth2AuthorizationCodeBearer(
    authorizationUrl=f"{KEYCLOAK_URL}realms/{KEYCLOAK_REALM}/protocol/openid-connect/auth",
    tokenUrl=f"{KEYCLOAK_URL}realms/{KEYCLOAK_REALM}/protocol/openid-connect/token",
)


class KeycloakUser(BaseModel):
    sub: str
    username: str
    email: str = ""
    roles: List[str] = []

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@lru_cache(maxsize=1)
def realm_public_key() -> str:
    return (
        "-----BEGIN PUBLIC KEY-----\n"
        + keycloak_openid.public_key()
        + "\n-----END PUBLIC KEY-----"
    )


def get_current_user(token: str = Depends(oauth2_scheme)) -> KeycloakUser:
    try:
        claims = keycloak_openid.decode_token(
            token,
            key=realm_public_key(),
            options={"verify_signature": True, "verify_aud": False, "verify_exp": True},
        )
    except (KeycloakError, ValueError, Exception):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid authentication credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return KeycloakUser(
        sub=claims["sub"],
        username=claims.get("preferred_username", claims["sub"]),
        email=claims.get("email", ""),
        roles=claims.get("realm_access", {}).get("roles", []),
    )


def require_realm_role(role: str):
    def checker(user: KeycloakUser = Depends(get_current_user)) -> KeycloakUser:
        if role not in user.roles:
            raise HTTPException(status_code=403, detail=f"Requires realm role {role!r}")
        return user

    return checker


require_admin = require_realm_role("admin")
