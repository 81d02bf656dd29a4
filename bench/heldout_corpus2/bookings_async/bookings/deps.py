from dataclasses import dataclass

import jwt
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .config import Settings

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Account:
    id: str
    email: str


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_ddb(request: Request):
    return request.app.state.ddb


async def current_account(
    credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    settings: Settings = Depends(get_settings),
) -> Account:
    if credentials is None:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = jwt.decode(credentials.credentials, settings.jwt_secret,
                            algorithms=["HS256"], audience=settings.jwt_audience)
    except jwt.PyJWTError:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return Account(id=claims["sub"], email=claims.get("email", ""))
