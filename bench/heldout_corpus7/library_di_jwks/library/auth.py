"""Bearer tokens issued by the library's Keycloak realm, verified against its JWKS."""

import os
from dataclasses import dataclass

import jwt
from fastapi import Depends, HTTPException, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ISSUER = os.environ.get("OIDC_ISSUER", "https://sso.example.org/realms/library")
AUDIENCE = os.environ.get("OIDC_AUDIENCE", "library-api")

bearer = HTTPBearer(auto_error=True)
_jwks = jwt.PyJWKClient(f"{ISSUER}/protocol/openid-connect/certs", cache_keys=True)


@dataclass(frozen=True)
class Principal:
    sub: str
    username: str
    roles: frozenset[str]

    @property
    def is_librarian(self) -> bool:
        return "librarian" in self.roles


def current_user(
    creds: HTTPAuthorizationCredentials = Security(bearer),
) -> Principal:
    try:
        signing_key = _jwks.get_signing_key_from_jwt(creds.credentials)
        claims = jwt.decode(
            creds.credentials,
            signing_key.key,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
        )
    except jwt.PyJWTError as exc:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc
    roles = claims.get("realm_access", {}).get("roles", [])
    return Principal(
        sub=claims["sub"],
        username=claims["preferred_username"],
        roles=frozenset(roles),
    )


def require_librarian(principal: Principal = Depends(current_user)) -> Principal:
    if not principal.is_librarian:
        raise HTTPException(status_code=403, detail="librarians only")
    return principal
