import asyncio
import os
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, EmailStr, Field

from . import storage
from .auth import APP_CLIENT_ID, Claims, admin_user, current_user, users_table
from .storage import StorageError, files_table

app = FastAPI(title="files")
cognito = boto3.client("cognito-idp", region_name=os.environ.get("AWS_REGION", "eu-central-1"))

FileId = Path(..., min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")


class SignupIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=10)
    plan: str = "free"
    storage_quota_gb: int = 5


class LoginIn(BaseModel):
    email: EmailStr
    password: str


class FileIn(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    folder_id: str = Field(min_length=1, max_length=64)
    size_bytes: int = Field(ge=0)
    content_type: str = "application/octet-stream"


class FileOut(BaseModel):
    file_id: str
    name: str
    folder_id: str
    size_bytes: int
    content_type: str
    created_at: str


class RenameIn(BaseModel):
    name: str = Field(min_length=1, max_length=255)


class MoveIn(BaseModel):
    folder_id: str = Field(min_length=1, max_length=64)


class ScanResult(BaseModel):
    status: str
    detail: str = ""


class UserOut(BaseModel):
    sub: str
    email: str
    plan: str


@app.post("/auth/signup", status_code=201)
async def signup(body: SignupIn):
    resp = cognito.sign_up(ClientId=APP_CLIENT_ID, Username=body.email, Password=body.password)
    users_table.put_item(
        Item={
            "sub": resp["UserSub"],
            "email": body.email,
            "plan": body.plan,
            "storage_quota_gb": body.storage_quota_gb,
            "created_at": datetime.now(timezone.utc).isoformat(),
        }
    )
    return {"sub": resp["UserSub"]}


@app.post("/auth/login")
async def login(body: LoginIn):
    try:
        result = cognito.initiate_auth(
            ClientId=APP_CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": body.email, "PASSWORD": body.password},
        )
    except ClientError as e:
        raise HTTPException(status_code=400, detail=e.response["Error"]["Message"])
    return result["AuthenticationResult"]


@app.post("/files", response_model=FileOut, status_code=201)
async def upload(body: FileIn, user: Claims = Depends(current_user)):
    if not storage.folder_exists(body.folder_id, user.sub):
        raise HTTPException(status_code=404, detail="Folder not found")
    item = {
        "file_id": str(uuid.uuid4()),
        "owner_sub": user.sub,
        "created_at": datetime.now(timezone.utc).isoformat(),
        **body.dict(),
    }
    try:
        storage.save_file(item)
    except StorageError as err:
        raise HTTPException(status_code=500, detail=str(err))
    return item


@app.get("/files")
async def list_files(user: Claims = Depends(current_user)):
    resp = files_table.scan(FilterExpression=Attr("owner_sub").eq(user.sub))
    return resp["Items"]


@app.get("/files/{file_id}", response_model=FileOut)
async def get_file(file_id: str = FileId, user: Claims = Depends(current_user)):
    item = await run_in_threadpool(storage.load_file, file_id)
    if item is None or item["owner_sub"] != user.sub:
        raise HTTPException(status_code=404, detail="File not found")
    return item


@app.patch("/files/{file_id}", response_model=FileOut)
async def rename(body: RenameIn, file_id: str = FileId, user: Claims = Depends(current_user)):
    try:
        return await asyncio.to_thread(storage.rename_file, file_id, user.sub, body.name)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="File not found")
        raise HTTPException(status_code=502, detail="Storage unavailable")


@app.post("/files/{file_id}/move", response_model=FileOut)
async def move(file_id: str, body: MoveIn, user: Claims = Depends(current_user)):
    try:
        resp = files_table.update_item(
            Key={"file_id": file_id},
            UpdateExpression="SET folder_id = :f",
            ExpressionAttributeValues={":f": body.folder_id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status_code=500, detail=str(e))
    return resp["Attributes"]


@app.delete("/files/{file_id}", status_code=204)
async def delete_file(file_id: str = FileId, user: Claims = Depends(current_user)):
    item = files_table.get_item(Key={"file_id": file_id}).get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="File not found")
    if item["owner_sub"] != user.sub:
        raise HTTPException(status_code=403, detail="You do not own this file")
    files_table.delete_item(
        Key={"file_id": file_id},
        ConditionExpression=Attr("owner_sub").eq(user.sub),
    )


@app.post("/internal/files/{file_id}/scan-result", status_code=204)
def record_scan_result(file_id: str, body: ScanResult):
    files_table.update_item(
        Key={"file_id": file_id},
        UpdateExpression="SET status = :s, scan_detail = :d",
        ExpressionAttributeValues={":s": body.status, ":d": body.detail},
    )


@app.put("/users/me/settings", status_code=204)
async def update_settings(settings: dict[str, Any], user: Claims = Depends(current_user)):
    if not settings:
        return
    parts = [f"settings.{key} = :v{i}" for i, key in enumerate(settings)]
    values = {f":v{i}": value for i, value in enumerate(settings.values())}
    users_table.update_item(
        Key={"sub": user.sub},
        UpdateExpression="SET " + ", ".join(parts),
        ExpressionAttributeValues=values,
    )


@app.get("/admin/users", response_model=list[UserOut])
async def list_users(admin: Claims = Depends(admin_user), cursor: Optional[str] = None):
    kwargs: dict[str, Any] = {"Limit": 100}
    if cursor:
        kwargs["ExclusiveStartKey"] = {"sub": cursor}
    resp = users_table.scan(**kwargs)
    return resp["Items"]
