import os

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt

from .models import Account

SECRET = os.environ["AUTH_SECRET"]
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/jwt/login")


def active_account(token: str = Depends(oauth2_scheme)) -> Account:
    try:
        payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience="recipes:auth")
    except JWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Could not validate credentials")
    try:
        account = Account.get(payload["sub"])
    except Account.DoesNotExist:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Could not validate credentials")
    if not account.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Inactive user")
    return account


def superuser(account: Account = Depends(active_account)) -> Account:
    if not account.is_superuser:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Forbidden")
    return account
