"""Request-scoped identity.

The middleware verifies the bearer token once per request and publishes the
tenant and the user through context variables, so repositories never need the
request object (the pattern from the "multi-tenancy with contextvars" posts).
"""
from __future__ import annotations

import contextvars
import os
from typing import Any

from jose import JWTError, jwt
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

JWT_SECRET = os.environ.get("JWT_SECRET", "change-me")
JWT_AUDIENCE = os.environ.get("JWT_AUDIENCE", "saas-api")
JWT_ISSUER = os.environ.get("JWT_ISSUER", "https://auth.example.com/")

current_tenant: contextvars.ContextVar[str] = contextvars.ContextVar("current_tenant")
current_user: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("current_user")

PUBLIC_PATHS = frozenset({"/healthz", "/metrics", "/webhooks/billing", "/docs", "/openapi.json"})


class TenantContextMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path in PUBLIC_PATHS:
            return await call_next(request)

        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            claims = jwt.decode(
                token,
                JWT_SECRET,
                algorithms=["HS256"],
                audience=JWT_AUDIENCE,
                issuer=JWT_ISSUER,
            )
        except JWTError:
            return JSONResponse({"detail": "Invalid token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})

        tenant_id = claims.get("tid")
        if not tenant_id or not claims.get("sub"):
            return JSONResponse({"detail": "Invalid token"}, status_code=401)

        tenant_token = current_tenant.set(tenant_id)
        user_token = current_user.set({
            "sub": claims["sub"],
            "email": claims.get("email"),
            "role": claims.get("role", "member"),
        })
        try:
            return await call_next(request)
        finally:
            current_tenant.reset(tenant_token)
            current_user.reset(user_token)


def require_tenant_admin() -> dict[str, Any]:
    from fastapi import HTTPException

    user = current_user.get()
    if user["role"] != "admin":
        raise HTTPException(status_code=403, detail="Admins only")
    return user
