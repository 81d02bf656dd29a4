import os

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

JWT_SECRET = os.environ["TASKBOARD_JWT_SECRET"]
JWT_AUDIENCE = "taskboard"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class TokenUser(BaseModel):
    sub: str
    role: str = "member"


def get_current_user(token: str = Depends(oauth2_scheme)) -> TokenUser:
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience=JWT_AUDIENCE)
    except jwt.PyJWTError:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return TokenUser(sub=claims["sub"], role=claims.get("role", "member"))


def require_admin(user: TokenUser = Depends(get_current_user)) -> TokenUser:
    if user.role != "admin":
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admin role required")
    return user
