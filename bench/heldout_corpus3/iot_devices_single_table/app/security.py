import os
from dataclasses import dataclass
from typing import Optional

from boto3.dynamodb.conditions import Key
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt

from .db import org_pk, table

JWT_SECRET = os.environ.get("JWT_SECRET", "dev-secret")
JWT_ISSUER = os.environ.get("JWT_ISSUER", "https://auth.fleetly.dev/")

bearer = HTTPBearer(auto_error=False)


@dataclass
class Principal:
    user_id: str
    email: str
    platform_admin: bool = False


def get_principal(creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> Principal:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated")
    try:
        claims = jwt.decode(
            creds.credentials,
            JWT_SECRET,
            algorithms=["HS256"],
            issuer=JWT_ISSUER,
            options={"verify_aud": False},
        )
    except JWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token")
    return Principal(
        user_id=claims["sub"],
        email=claims.get("email", ""),
        platform_admin="platform-admin" in claims.get("groups", []),
    )


def list_members(org_id: str):
    resp = table.query(
        KeyConditionExpression=Key("pk").eq(org_pk(org_id)) & Key("sk").begins_with("MEMBER#"),
    )
    return resp.get("Items", [])


def require_member(org_id: str, principal: Principal) -> dict:
    for member in list_members(org_id):
        if member.get("user_id") == principal.user_id:
            return member
    raise HTTPException(status.HTTP_404_NOT_FOUND, "Organization not found")


def require_org_admin(org_id: str, principal: Principal) -> dict:
    member = require_member(org_id, principal)
    if member.get("role") != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Organization admin role required")
    return member
