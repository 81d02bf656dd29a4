"""Authentication behind Google Cloud Identity-Aware Proxy.

IAP signs every request it forwards with an ES256 JWT in the
``x-goog-iap-jwt-assertion`` header. We verify it against Google's IAP keys
and the backend's audience (``/projects/<num>/global/backendServices/<id>``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Depends, Header, HTTPException, status
from google.auth import exceptions as google_exceptions
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

IAP_CERTS_URL = "https://www.gstatic.com/iap/verify/public_key"
IAP_ISSUER = "https://cloud.google.com/iap"

_transport = google_requests.Request()


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1]


@lru_cache(maxsize=1)
def _audience() -> str:
    return os.environ["IAP_AUDIENCE"]


@lru_cache(maxsize=1)
def _admin_emails() -> frozenset[str]:
    raw = os.getenv("PLATFORM_ADMINS", "")
    return frozenset(e.strip().lower() for e in raw.split(",") if e.strip())


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=reason,
        headers={"WWW-Authenticate": "IAP"},
    )


def current_principal(
    assertion: str | None = Header(default=None, alias="x-goog-iap-jwt-assertion"),
) -> Principal:
    if not assertion:
        raise _unauthorized("missing IAP assertion")
    try:
        claims = id_token.verify_token(
            assertion,
            _transport,
            audience=_audience(),
            certs_url=IAP_CERTS_URL,
        )
    except (ValueError, google_exceptions.GoogleAuthError):
        raise _unauthorized("invalid IAP assertion")
    if claims.get("iss") != IAP_ISSUER or not claims.get("email"):
        raise _unauthorized("invalid IAP assertion")
    # IAP prefixes identities with their provider: "accounts.google.com:alice@example.com"
    email = claims["email"].split(":")[-1].lower()
    return Principal(sub=claims["sub"], email=email)


def require_admin(principal: Principal = Depends(current_principal)) -> Principal:
    if principal.email not in _admin_emails():
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="admin only")
    return principal
