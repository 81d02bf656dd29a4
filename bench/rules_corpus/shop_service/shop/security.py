import jwt
from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

bearer = HTTPBearer()
JWKS_URL = "https://auth.example.com/.well-known/jwks.json"
jwks_client = jwt.PyJWKClient(JWKS_URL)


class Principal(BaseModel):
    sub: str
    roles: list[str] = []


def current_principal(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> Principal:
    try:
        key = jwks_client.get_signing_key_from_jwt(creds.credentials).key
        claims = jwt.decode(creds.credentials, key, algorithms=["RS256"], audience="shop")
    except jwt.PyJWTError as exc:
        raise HTTPException(401, "invalid token") from exc
    return Principal(sub=claims["sub"], roles=claims.get("roles", []))


def require_staff(p: Principal = Depends(current_principal)) -> Principal:
    if "staff" not in p.roles:
        raise HTTPException(403, "staff only")
    return p
