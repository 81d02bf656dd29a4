import hashlib
import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from .config import settings
from .crud import crud_user
from .db import get_db

basic = HTTPBasic()


def hash_password(password: str) -> str:
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), settings.password_salt.encode(), 200_000
    )
    return digest.hex()


def get_current_user(
    credentials: Annotated[HTTPBasicCredentials, Depends(basic)],
    db: Annotated[Any, Depends(get_db)],
) -> dict[str, Any]:
    user = crud_user.get(db, {"username": credentials.username})
    supplied = hash_password(credentials.password)
    stored = user["password_hash"] if user else hash_password(secrets.token_hex(8))
    if user is None or not secrets.compare_digest(supplied, stored):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return user


def get_current_active_user(
    user: Annotated[dict[str, Any], Depends(get_current_user)],
) -> dict[str, Any]:
    if not user.get("is_active", True):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Inactive user")
    return user


def get_current_active_superuser(
    user: Annotated[dict[str, Any], Depends(get_current_active_user)],
) -> dict[str, Any]:
    if not user.get("is_superuser"):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="The user doesn't have enough privileges",
        )
    return user


CurrentUser = Annotated[dict[str, Any], Depends(get_current_active_user)]
SuperUser = Annotated[dict[str, Any], Depends(get_current_active_superuser)]
DB = Annotated[Any, Depends(get_db)]
