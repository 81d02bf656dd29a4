"""Accounts whose id only the registration answer tells (added by the prober helper).

Sign-up takes an e-mail and answers the new account's server-chosen `user_id`; tokens
name the e-mail (`sub`), and the only way to close an account is
`DELETE /users/{user_id}`. A run may register a throwaway account only if it can close
it again, so it must take the id from the registration answer. The plant,
`register_admin`, stores `is_admin` from the sign-up body; `None` is the clean twin.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import uuid
from typing import Annotated, Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, Field

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    dynamo_table,
    expect_ok,
    hash_password,
    issue,
    scan_keys,
    subject,
    table_name,
)

Email = Annotated[str, Field(json_schema_extra={"format": "email"})]


class SignUp(BaseModel):
    email: Email
    password: str
    display_name: str = ""


class PlantedSignUp(SignUp):
    is_admin: bool = False  # the plant: a client-chosen privilege


class SignedUp(BaseModel):
    user_id: str
    email: Email


class Credentials(BaseModel):
    email: Email
    password: str


class ProfilePatch(BaseModel):
    display_name: str
    version: int  # optimistic locking: the version read


class Token(BaseModel):
    access_token: str


def make_app(bug: str | None) -> Zoo:
    """The accounts app with `register_admin` planted, or the clean twin (None)."""
    users = dynamo_table(table_name("uid-users"), "user_id")
    api = FastAPI(title="accounts by user id")

    def by_email(email: str) -> dict[str, Any] | None:
        items = users.scan(FilterExpression=Attr("email").eq(email))["Items"]
        return dict(items[0]) if items else None

    def caller(authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
        email = subject(authorization.removeprefix("Bearer "))
        item = by_email(email) if email else None
        if item is None:
            raise HTTPException(401, "not signed in")
        return item

    Me = Annotated[dict[str, Any], Depends(caller)]
    Body = PlantedSignUp if bug == "register_admin" else SignUp

    @api.post("/register", status_code=201)
    def register(body: Body) -> SignedUp:  # type: ignore[valid-type]
        if by_email(body.email) is not None:
            raise HTTPException(409, "e-mail already registered")
        item = {"is_admin": False, **body.model_dump(), "user_id": uuid.uuid4().hex, "version": 1}
        item["password"] = hash_password(body.password)
        users.put_item(Item=item)
        return SignedUp(user_id=item["user_id"], email=item["email"])

    @api.post("/login")
    def login(body: Credentials) -> Token:
        item = by_email(body.email)
        if item is None or item["password"] != hash_password(body.password):
            raise HTTPException(401, "wrong e-mail or password")
        return Token(access_token=issue(body.email))

    @api.get("/me")
    def me(user: Me) -> dict[str, Any]:
        keys = ("user_id", "email", "display_name", "is_admin", "version")
        return {k: user.get(k) for k in keys}

    @api.patch("/me")
    def patch_me(body: ProfilePatch, user: Me) -> dict[str, Any]:
        changed = {**user, "display_name": body.display_name, "version": body.version + 1}
        try:
            users.put_item(
                Item=changed,
                ConditionExpression=Attr("version").eq(body.version),
            )
        except ClientError as exc:
            raise HTTPException(409, "changed since you read it") from exc
        return me(changed)

    @api.delete("/users/{user_id}", status_code=204)
    def close(user_id: str, user: Me) -> Response:
        if user_id != user["user_id"]:
            raise HTTPException(403, "only your own account")
        users.delete_item(Key={"user_id": user_id})
        return Response(status_code=204)

    async def login_as(client: Any, name: str) -> str:
        creds = {"email": f"{name}@uid.example", "password": PASSWORD}
        await client.post("/register", json=creds)
        answer = await client.post("/login", json=creds)
        return f"Authorization: Bearer {expect_ok(answer).json()['access_token']}"

    return Zoo(
        app=RequestLog(api),
        snapshot=lambda: {f"user:{k}" for k in scan_keys(users, "user_id")},
        login=login_as,
    )
