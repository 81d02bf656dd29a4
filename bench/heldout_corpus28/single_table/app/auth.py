"""Cognito access tokens, verified once per request by a middleware."""
import os
from dataclasses import dataclass
from typing import Tuple

import jwt
from fastapi import Depends, HTTPException, Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

REGION = os.environ.get("AWS_REGION", "us-east-1")
USER_POOL_ID = os.environ.get("USER_POOL_ID", "us-east-1_example")
APP_CLIENT_ID = os.environ.get("APP_CLIENT_ID", "")
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"

PUBLIC_PREFIXES = ("/healthz", "/docs", "/openapi.json", "/public/")

_jwks = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json", cache_keys=True)


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str
    groups: Tuple[str, ...] = ()


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": message}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )


class JWTAuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if request.method == "OPTIONS" or path.startswith(PUBLIC_PREFIXES):
            return await call_next(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _unauthorized("missing bearer token")
        try:
            signing_key = _jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "token_use"]},
            )
        except jwt.PyJWTError:
            return _unauthorized("invalid token")
        if claims.get("token_use") != "access" or claims.get("client_id") != APP_CLIENT_ID:
            return _unauthorized("invalid token")
        request.state.user = Principal(
            sub=claims["sub"],
            email=claims.get("email", ""),
            groups=tuple(claims.get("cognito:groups", [])),
        )
        return await call_next(request)


def current_user(request: Request) -> Principal:
    user = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(status_code=401, detail="not authenticated")
    return user


def require_admin(user: Principal = Depends(current_user)) -> Principal:
    if "admin" not in user.groups:
        raise HTTPException(status_code=403, detail="admins only")
    return user
