from dataclasses import dataclass, field

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2AuthorizationCodeBearer

from .settings import get_settings

settings = get_settings()

oauth2_scheme = OAuth2AuthorizationCodeBearer(
    authorizationUrl=f"https://{settings.auth0_domain}/authorize",
    tokenUrl=f"https://{settings.auth0_domain}/oauth/token",
    scopes={"openid": "OpenID", "profile": "Profile"},
)

jwks_client = jwt.PyJWKClient(
    f"https://{settings.auth0_domain}/.well-known/jwks.json", cache_keys=True
)


@dataclass(frozen=True)
class Principal:
    sub: str
    permissions: frozenset[str] = field(default_factory=frozenset)


def current_principal(token: str = Depends(oauth2_scheme)) -> Principal:
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="invalid token",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        signing_key = jwks_client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            audience=settings.auth0_audience,
            issuer=f"https://{settings.auth0_domain}/",
        )
    except jwt.PyJWTError:
        raise unauthorized
    sub = claims.get("sub")
    if not sub:
        raise unauthorized
    return Principal(sub=sub, permissions=frozenset(claims.get("permissions", [])))


def require_permission(permission: str):
    def checker(principal: Principal = Depends(current_principal)) -> Principal:
        if permission not in principal.permissions:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "insufficient permissions")
        return principal

    return checker
