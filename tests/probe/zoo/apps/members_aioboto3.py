"""A club's members and their customers: FastAPI + aioboto3, OpenAPI 3.0, paginated lists.

As such services are written: members are `/members/{login}`, customers are keyed by
their e-mail (`/customers/{email}`) and a create answers `{"status": "ok"}` with no id;
lists come in envelopes (`{"members": [...], "count": n, "next_cursor": ...}`); the spec
says `servers: http://localhost:8000` because that is where the developer ran it.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import json
from contextlib import AsyncExitStack
from typing import Annotated, Any

import aioboto3
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Response
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

BUGS = {
    "customer_overwrite": "POST /customers puts without attribute_not_exists: replaces one",
    "member_bola_write": "PATCH /members/{login} lets any member edit any member",
    "member_mass_assign": "PATCH /members/{login} accepts `verified` from the body",
    "soft_delete": "DELETE /customers/{email} only flags the item; GET still returns it",
    "error_leak": "PUT /customers/{email} returns the botocore error text",
    "unvalidated_login": "GET /members/{login} takes any string; a non-Latin-1 one breaks a header",
}


class SignupIn(BaseModel):
    login: str = Field(pattern=r"^[a-z][a-z0-9-]{2,31}$")
    password: str = Field(min_length=8)
    display_name: str


class LoginIn(BaseModel):
    login: str
    password: str


class Member(BaseModel):
    login: str
    display_name: str
    bio: str = ""
    verified: bool = False
    rev: int


class MemberPage(BaseModel):
    members: list[Member]
    count: int
    next_cursor: str | None = None


class MemberPatch(BaseModel):
    display_name: str | None = None
    bio: str | None = None
    rev: int  # the revision the client read: a stale one is refused (409)


class MemberPatchLoose(MemberPatch):
    verified: bool | None = None


class CustomerIn(BaseModel):
    email: str = Field(pattern=r"^[^@/\s]+@[^@/\s]+$", max_length=254)
    name: str
    phone: str = ""


class CustomerUpdate(BaseModel):
    name: str
    phone: str = ""
    rev: int


class Customer(BaseModel):
    email: str
    name: str
    phone: str = ""
    managed_by: str
    rev: int


class CustomerPage(BaseModel):
    customers: list[Customer]
    next_cursor: str | None = None


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The members service with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    members_table = dynamo_table(table_name("members"), "login")
    customers_table = dynamo_table(table_name("customers"), "email")
    session = aioboto3.Session()
    api = FastAPI(
        title="club members",
        servers=[{"url": "http://localhost:8000", "description": "local development"}],
    )
    # What tools that still read only 3.0 make people do; the schemas stay FastAPI's.
    api.openapi_version = "3.0.3"

    # One resource for the app's life, opened on first use (inside the serving loop).
    stack = AsyncExitStack()
    opened: list[Any] = []

    async def table(name: str) -> Any:
        if not opened:
            opened.append(await stack.enter_async_context(session.resource("dynamodb")))
        return await opened[0].Table(name)

    async def get(name: str, key: dict[str, str]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (await (await table(name)).get_item(Key=key)).get("Item")
        return item

    async def caller(authorization: Annotated[str, Header()] = "") -> str:
        token = authorization.removeprefix("Bearer ").strip()
        login = subject(token) if token else None
        # The token is trusted as issued: no member lookup per request.
        if login is None:
            raise HTTPException(401, "invalid or missing token")
        return login

    Me = Annotated[str, Depends(caller)]
    LoginPath = (
        Annotated[str, Path()]
        if bug == "unvalidated_login"
        else Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{2,31}$")]
    )

    def member(item: dict[str, Any]) -> dict[str, Any]:
        return {k: item.get(k) for k in ("login", "display_name", "bio", "verified", "rev")}

    @api.post("/signup", status_code=201, response_model=Member)
    async def signup(body: SignupIn) -> dict[str, Any]:
        item = {
            "login": body.login,
            "display_name": body.display_name,
            "bio": "",
            "verified": False,
            "rev": 1,
            "password_hash": hash_password(body.password),
        }
        t = await table(members_table.name)
        try:
            await t.put_item(Item=item, ConditionExpression="attribute_not_exists(login)")
        except ClientError:
            raise HTTPException(409, "login taken") from None
        return member(item)

    @api.post("/login")
    async def login(body: LoginIn) -> dict[str, str]:
        item = await get(members_table.name, {"login": body.login})
        if item is None or item["password_hash"] != hash_password(body.password):
            raise HTTPException(401, "invalid login or password")
        return {"token": issue(body.login, login=body.login)}

    @api.get("/members", response_model=MemberPage)
    async def list_members(
        me: Me, limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: str | None = None
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"Limit": limit}
        if cursor:
            kwargs["ExclusiveStartKey"] = json.loads(cursor)
        t = await table(members_table.name)
        page = await t.scan(**kwargs)
        items = [member(i) for i in page["Items"]]
        last = page.get("LastEvaluatedKey")
        return {
            "members": items,
            "count": len(items),
            "next_cursor": json.dumps(last) if last else None,
        }

    @api.get("/members/{login}", response_model=Member)
    async def read_member(login: LoginPath, me: Me, response: Response) -> dict[str, Any]:
        # HTTP header values are Latin-1 (RFC 9110 5.5): a login outside it cannot go here.
        response.headers["Content-Location"] = f"/members/{login}"
        item = await get(members_table.name, {"login": login})
        if item is None:
            raise HTTPException(404, "no such member")
        return member(item)

    patch_model = MemberPatchLoose if bug == "member_mass_assign" else MemberPatch

    @api.patch("/members/{login}", response_model=Member)
    async def patch_member(login: LoginPath, body: patch_model, me: Me) -> dict[str, Any]:  # type: ignore[valid-type]
        if login != me and bug != "member_bola_write":
            raise HTTPException(403, "you can only edit your own profile")
        changes = body.model_dump(exclude_none=True, exclude={"rev"})
        if not changes:
            raise HTTPException(422, "nothing to change")
        names = {f"#{k}": k for k in changes} | {"#rev": "rev"}
        values = {f":{k}": v for k, v in changes.items()} | {":seen": body.rev, ":one": 1}
        t = await table(members_table.name)
        try:
            new = await t.update_item(
                Key={"login": login},
                UpdateExpression="SET "
                + ", ".join(f"#{k} = :{k}" for k in changes)
                + " ADD #rev :one",
                ConditionExpression="attribute_exists(login) AND #rev = :seen",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError:
            raise HTTPException(409, "changed since you read it, or no such member") from None
        return member(new["Attributes"])

    @api.delete("/members/{login}", status_code=204)
    async def leave(login: LoginPath, me: Me) -> Response:
        if login != me:
            raise HTTPException(403, "you can only remove your own membership")
        t = await table(members_table.name)
        await t.delete_item(Key={"login": login})
        return Response(status_code=204)

    async def mine(email: str, me: str) -> dict[str, Any]:
        item = await get(customers_table.name, {"email": email})
        hidden = item is None or (item.get("deleted") and bug != "soft_delete")
        if hidden or item["managed_by"] != me:  # type: ignore[index]
            raise HTTPException(404, "no such customer")
        return item  # type: ignore[return-value]

    def customer(item: dict[str, Any]) -> dict[str, Any]:
        return {k: item.get(k) for k in ("email", "name", "phone", "managed_by", "rev")}

    @api.get("/customers", response_model=CustomerPage)
    async def list_customers(me: Me) -> dict[str, Any]:
        t = await table(customers_table.name)
        items = (await t.scan())["Items"]
        return {
            "customers": [
                customer(i) for i in items if i["managed_by"] == me and not i.get("deleted")
            ],
            "next_cursor": None,
        }

    @api.post("/customers", status_code=201)
    async def add_customer(body: CustomerIn, me: Me) -> dict[str, str]:
        item = {**body.model_dump(), "managed_by": me, "rev": 1}
        guard = (
            {}
            if bug == "customer_overwrite"
            else {"ConditionExpression": "attribute_not_exists(email)"}
        )
        t = await table(customers_table.name)
        try:
            await t.put_item(Item=item, **guard)
        except ClientError:
            raise HTTPException(409, "customer already exists") from None
        return {"status": "ok"}

    @api.get("/customers/{email}", response_model=Customer)
    async def read_customer(email: str, me: Me) -> dict[str, Any]:
        return customer(await mine(email, me))

    @api.put("/customers/{email}", response_model=Customer)
    async def replace_customer(email: str, body: CustomerUpdate, me: Me) -> dict[str, Any]:
        t = await table(customers_table.name)
        try:
            new = await t.update_item(
                Key={"email": email},
                UpdateExpression="SET #n = :n, phone = :p ADD rev :one",
                ConditionExpression=(
                    "managed_by = :me AND attribute_not_exists(deleted) AND rev = :seen"
                ),
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={
                    ":n": body.name,
                    ":p": body.phone,
                    ":me": me,
                    ":seen": body.rev,
                    ":one": 1,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            detail = str(exc) if bug == "error_leak" else "no such customer"
            raise HTTPException(404, detail) from None
        return customer(new["Attributes"])

    @api.delete("/customers/{email}", status_code=204)
    async def remove_customer(email: str, me: Me) -> Response:
        await mine(email, me)
        t = await table(customers_table.name)
        if bug == "soft_delete":
            # "Keep it for the audit trail": flagged, and read routes forgot the flag.
            await t.update_item(
                Key={"email": email},
                UpdateExpression="SET deleted = :t",
                ExpressionAttributeValues={":t": True},
            )
        else:
            await t.delete_item(Key={"email": email})
        return Response(status_code=204)

    async def login_as(client: Any, name: str) -> str:
        await client.post(
            "/signup", json={"login": name, "password": PASSWORD, "display_name": name.title()}
        )
        answer = await client.post("/login", json={"login": name, "password": PASSWORD})
        return f"Authorization: Bearer {expect_ok(answer).json()['token']}"

    def snapshot() -> set[str]:
        # A soft-deleted customer is deleted as far as the app knows (and leaks it).
        return {f"member:{k}" for k in scan_keys(members_table, "login")} | {
            f"customer:{k}" for k in scan_keys(customers_table, "email", unless="deleted")
        }

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=login_as, close=stack.aclose)
