from dataclasses import dataclass

from authlib.jose import JsonWebToken
from authlib.jose.errors import JoseError
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .settings import Settings, get_settings

jwt = JsonWebToken(["RS256"])
bearer_scheme = HTTPBearer(auto_error=True)


@dataclass(frozen=True)
class Viewer:
    username: str
    subject: str


def current_viewer(
    credentials: HTTPAuthorizationCredentials = Depends(bearer_scheme),
    settings: Settings = Depends(get_settings),
) -> Viewer:
    try:
        claims = jwt.decode(
            credentials.credentials,
            settings.jwt_public_key_pem,
            claims_options={
                "iss": {"essential": True, "value": settings.jwt_issuer},
                "aud": {"essential": True, "value": settings.jwt_audience},
                "preferred_username": {"essential": True},
            },
        )
        claims.validate(leeway=30)
    except JoseError:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Viewer(username=claims["preferred_username"], subject=claims["sub"])
