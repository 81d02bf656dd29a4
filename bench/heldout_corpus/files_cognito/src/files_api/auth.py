import os
import time
from typing import Optional

import boto3
import jwt
from fastapi import HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

REGION = os.environ.get("AWS_REGION", "eu-central-1")
USER_POOL_ID = os.environ["COGNITO_USER_POOL_ID"]
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"

dynamodb = boto3.resource("dynamodb", region_name=REGION)
users_table = dynamodb.Table(os.environ.get("USERS_TABLE", "files-users"))


class Claims(BaseModel):
    sub: str
    email: Optional[str] = None
    groups: list[str] = []


class CognitoAuth:
    """Verifies Cognito access tokens against the user pool's JWKS."""

    def __init__(self, required_group: Optional[str] = None) -> None:
        self.required_group = required_group
        self.jwks = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json", cache_keys=True)
        self.bearer = HTTPBearer()

    async def __call__(self, creds: HTTPAuthorizationCredentials = Security(HTTPBearer())) -> Claims:
        token = creds.credentials
        try:
            signing_key = self.jwks.get_signing_key_from_jwt(token)
            payload = jwt.decode(token, signing_key.key, algorithms=["RS256"], issuer=ISSUER)
        except jwt.PyJWTError:
            raise HTTPException(status_code=401, detail="Invalid token")
        if payload.get("token_use") != "access" or payload.get("client_id") != APP_CLIENT_ID:
            raise HTTPException(status_code=401, detail="Invalid token")
        groups = payload.get("cognito:groups", [])
        if self.required_group and self.required_group not in groups:
            raise HTTPException(status_code=403, detail="Forbidden")
        users_table.update_item(
            Key={"sub": payload["sub"]},
            UpdateExpression="SET last_seen = :t",
            ExpressionAttributeValues={":t": int(time.time())},
        )
        return Claims(sub=payload["sub"], email=payload.get("email"), groups=groups)


current_user = CognitoAuth()
admin_user = CognitoAuth(required_group="admins")
