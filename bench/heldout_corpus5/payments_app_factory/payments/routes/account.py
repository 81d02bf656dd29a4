from typing import Annotated

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.security import OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import BaseModel, EmailStr, Field

from ..deps import Users
from ..security import AdminDep, CurrentUserDep, issue_token

router = APIRouter()
pwd = CryptContext(schemes=["bcrypt"], deprecated="auto")


class ProfileOut(BaseModel):
    username: str
    email: EmailStr | None = None
    display_name: str | None = None


class ProfilePatch(BaseModel):
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, max_length=80)
    role: str | None = None


@router.post("/auth/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], users: Users):
    resp = await users.get_item(Key={"username": form.username})
    record = resp.get("Item")
    if record is None or not pwd.verify(form.password, record["password_hash"]):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bad credentials")
    return {"access_token": issue_token(record["username"], record.get("role", "customer")),
            "token_type": "bearer"}


@router.get("/me", response_model=ProfileOut)
async def me(user: CurrentUserDep, users: Users):
    resp = await users.get_item(Key={"username": user.username})
    return resp["Item"]


@router.patch("/me", response_model=ProfileOut)
async def update_me(body: ProfilePatch, user: CurrentUserDep, users: Users):
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "nothing to update")
    expr = "SET " + ", ".join(f"#{k} = :{k}" for k in changes)
    try:
        resp = await users.update_item(
            Key={"username": user.username},
            UpdateExpression=expr,
            ConditionExpression="attribute_exists(username)",
            ExpressionAttributeNames={f"#{k}": k for k in changes},
            ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=e.response["Error"]["Message"])
    return resp["Attributes"]


@router.delete("/admin/users/{username}", status_code=204)
async def delete_user(
    username: Annotated[str, Path(pattern=r"^[a-z0-9_.-]{3,32}$")],
    admin: AdminDep,
    users: Users,
):
    await users.delete_item(Key={"username": username})
