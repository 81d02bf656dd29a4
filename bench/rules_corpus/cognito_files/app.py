import os
import uuid

import boto3
import requests
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwk, jwt
from pydantic import BaseModel

REGION = os.environ.get("AWS_REGION", "us-east-1")
POOL_ID = os.environ["USER_POOL_ID"]
CLIENT_ID = os.environ["APP_CLIENT_ID"]
JWKS = requests.get(
    f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}/.well-known/jwks.json", timeout=5
).json()

app = FastAPI()
security = HTTPBearer()
files = boto3.resource("dynamodb").Table(os.environ.get("FILES_TABLE", "files"))
shares = boto3.resource("dynamodb").Table(os.environ.get("SHARES_TABLE", "shares"))


def claims(creds: HTTPAuthorizationCredentials = Depends(security)) -> dict:
    token = creds.credentials
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in JWKS["keys"] if k["kid"] == kid)
    try:
        return jwt.decode(token, jwk.construct(key), algorithms=["RS256"], audience=CLIENT_ID)
    except Exception:
        raise HTTPException(401, "invalid token")


class FileMeta(BaseModel):
    name: str
    size: int
    content_type: str = "application/octet-stream"


class Share(BaseModel):
    file_id: str
    with_user: str


@app.get("/users/{user_id}/files")
def list_files(user_id: str, me: dict = Depends(claims)):
    resp = files.query(
        KeyConditionExpression="owner_sub = :u", ExpressionAttributeValues={":u": user_id}
    )
    return resp["Items"]


@app.post("/files", status_code=201)
def add_file(body: FileMeta, me: dict = Depends(claims)):
    item = {"file_id": str(uuid.uuid4()), "owner_sub": me["sub"], **body.model_dump()}
    files.put_item(Item=item, ConditionExpression="attribute_not_exists(file_id)")
    return item


@app.post("/shares", status_code=201)
def share(body: Share, me: dict = Depends(claims)):
    f = files.get_item(Key={"file_id": body.file_id}).get("Item")
    if not f or f["owner_sub"] != me["sub"]:
        raise HTTPException(404)
    shares.put_item(Item={"file_id": body.file_id, "user": body.with_user, "by": me["sub"]})
    files.update_item(
        Key={"file_id": body.file_id},
        UpdateExpression="ADD share_count :one",
        ExpressionAttributeValues={":one": 1},
    )
    return {"shared": True}


@app.delete("/files/{file_id}", status_code=204)
def remove(file_id: str, me: dict = Depends(claims)):
    files.delete_item(
        Key={"file_id": file_id},
        ConditionExpression="owner_sub = :me",
        ExpressionAttributeValues={":me": me["sub"]},
    )
