"""Authentication: fastapi-jwt-auth access tokens, admin impersonation via X-Act-As."""
import os
from typing import Optional

from fastapi import Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi_jwt_auth import AuthJWT
from fastapi_jwt_auth.exceptions import AuthJWTException
from pydantic import BaseModel


class Settings(BaseModel):
    authjwt_secret_key: str = os.environ.get("JWT_SECRET", "change-me")
    authjwt_access_token_expires: int = 3600
    authjwt_decode_algorithms: list[str] = ["HS256"]


@AuthJWT.load_config
def get_config():
    return Settings()


def authjwt_exception_handler(request: Request, exc: AuthJWTException):
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.message})


class Principal(BaseModel):
    subject: str          # the user the token was issued to
    acting_as: str        # whose data the request works on
    is_admin: bool = False


def current_principal(
    Authorize: AuthJWT = Depends(),
    x_act_as: Optional[str] = Header(None, alias="X-Act-As", max_length=64),
) -> Principal:
    Authorize.jwt_required()
    subject = Authorize.get_jwt_subject()
    claims = Authorize.get_raw_jwt() or {}
    is_admin = bool(claims.get("admin", False))
    if x_act_as and x_act_as != subject:
        if not is_admin:
            raise HTTPException(status_code=403, detail="Impersonation requires admin")
        return Principal(subject=subject, acting_as=x_act_as, is_admin=True)
    return Principal(subject=subject, acting_as=subject, is_admin=is_admin)


def require_admin(principal: Principal = Depends(current_principal)) -> Principal:
    if not principal.is_admin:
        raise HTTPException(status_code=403, detail="Admin only")
    return principal
