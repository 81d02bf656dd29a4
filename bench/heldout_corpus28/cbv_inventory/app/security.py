"""OAuth2 bearer tokens issued by the company's auth server (RS256, scopes)."""
from typing import List

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel, EmailStr, ValidationError

from .config import settings

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=f"{settings.auth_base_url}/oauth/token",
    scopes={
        "inventory:read": "Browse the catalogue and manage your purchase orders.",
        "inventory:write": "Adjust stock levels (warehouse staff).",
        "inventory:admin": "Manage the catalogue and customer accounts.",
    },
)


class User(BaseModel):
    email: EmailStr
    name: str = ""
    scopes: List[str] = []


def get_user(
    security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)
) -> User:
    if security_scopes.scopes:
        authenticate_value = f'Bearer scope="{security_scopes.scope_str}"'
    else:
        authenticate_value = "Bearer"
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": authenticate_value},
    )
    try:
        payload = jwt.decode(
            token,
            settings.jwt_public_key,
            algorithms=["RS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.PyJWTError:
        raise credentials_exception
    email = payload.get("email")
    if not email or not payload.get("email_verified", False):
        raise credentials_exception
    token_scopes = payload.get("scope", "").split()
    try:
        user = User(email=email.lower(), name=payload.get("name", ""), scopes=token_scopes)
    except ValidationError:
        raise credentials_exception
    for scope in security_scopes.scopes:
        if scope not in token_scopes:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail="Not enough permissions",
                headers={"WWW-Authenticate": authenticate_value},
            )
    return user
