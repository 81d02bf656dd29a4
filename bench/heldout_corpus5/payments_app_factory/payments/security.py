"""OAuth2 password flow with python-jose; a class-based role dependency."""
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from jose import JWTError, jwt
from pydantic import BaseModel

from .config import settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")
ALGORITHM = "HS256"


class User(BaseModel):
    username: str
    role: str = "customer"


def issue_token(username: str, role: str) -> str:
    exp = datetime.now(timezone.utc) + timedelta(hours=1)
    return jwt.encode({"sub": username, "role": role, "exp": exp}, settings.jwt_secret, ALGORITHM)


class CurrentUser:
    """`Depends(CurrentUser())` for any signed-in user, `CurrentUser("admin")` for admins."""

    def __init__(self, required_role: str | None = None):
        self.required_role = required_role

    async def __call__(self, request: Request, token: Annotated[str, Depends(oauth2_scheme)]) -> User:
        try:
            claims = jwt.decode(token, settings.jwt_secret, algorithms=[ALGORITHM])
        except JWTError:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token",
                                headers={"WWW-Authenticate": "Bearer"})
        users = request.app.state.users
        resp = await users.get_item(Key={"username": claims["sub"]})
        record = resp.get("Item")
        if record is None or record.get("disabled"):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
        user = User(username=record["username"], role=record.get("role", "customer"))
        if self.required_role and user.role != self.required_role:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "forbidden")
        return user


CurrentUserDep = Annotated[User, Depends(CurrentUser())]
AdminDep = Annotated[User, Depends(CurrentUser("admin"))]
