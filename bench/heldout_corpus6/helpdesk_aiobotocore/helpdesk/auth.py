import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel

from .settings import Settings, get_settings

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="https://login.example.com/oauth/token",
    scopes={
        "tickets:read": "Read tickets of your tenant",
        "tickets:write": "Open and edit tickets",
        "tickets:admin": "Delete tickets",
        "agents:admin": "Manage the agents of your tenant",
    },
)


class Principal(BaseModel):
    sub: str
    email: str
    tenant_id: str
    scopes: list[str] = []


async def get_principal(
    security_scopes: SecurityScopes,
    token: str = Depends(oauth2_scheme),
    settings: Settings = Depends(get_settings),
) -> Principal:
    authenticate_value = (
        f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
    )
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": authenticate_value},
    )
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.PyJWTError:
        raise unauthorized
    if "tenant_id" not in claims:
        raise unauthorized
    principal = Principal(
        sub=claims["sub"],
        email=claims["email"],
        tenant_id=claims["tenant_id"],
        scopes=claims.get("scope", "").split(),
    )
    for scope in security_scopes.scopes:
        if scope not in principal.scopes:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail="Not enough permissions",
                headers={"WWW-Authenticate": authenticate_value},
            )
    return principal
