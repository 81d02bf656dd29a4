import asyncio
import hashlib
import hmac
import os
from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import APIRouter, Cookie, Depends, HTTPException, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from .models import User

SECRET_KEY = os.environ["LMS_JWT_SECRET"]
ALGORITHM = "HS256"
COOKIE_NAME = "access_token"

router = APIRouter(prefix="/auth", tags=["auth"])


def hash_password(password: str, user_id: str) -> str:
    return hashlib.scrypt(password.encode(), salt=user_id.encode(), n=2**14, r=8, p=1).hex()


@router.post("/login", status_code=status.HTTP_204_NO_CONTENT)
async def login(response: Response, form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    try:
        user = await asyncio.to_thread(User.get, form.username)
    except User.DoesNotExist:
        user = None
    supplied = hash_password(form.password, form.username)
    if user is None or not hmac.compare_digest(supplied, user.password_hash):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Bad credentials")
    expires = datetime.now(timezone.utc) + timedelta(hours=8)
    token = jwt.encode({"sub": user.user_id, "exp": expires}, SECRET_KEY, algorithm=ALGORITHM)
    response.set_cookie(COOKIE_NAME, token, httponly=True, secure=True, samesite="lax",
                        max_age=8 * 3600)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(response: Response):
    response.delete_cookie(COOKIE_NAME)


async def get_current_user(access_token: Annotated[str | None, Cookie()] = None) -> User:
    unauthorized = HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                                 detail="Not authenticated")
    if not access_token:
        raise unauthorized
    try:
        payload = jwt.decode(access_token, SECRET_KEY, algorithms=[ALGORITHM])
        return await asyncio.to_thread(User.get, payload["sub"])
    except (jwt.PyJWTError, KeyError, User.DoesNotExist):
        raise unauthorized


async def require_admin(user: Annotated[User, Depends(get_current_user)]) -> User:
    if user.role != "admin":
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admins only")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
AdminUser = Annotated[User, Depends(require_admin)]
