"""A 50-operation API for the prober's benchmark: nine CRUD resources, auth and status routes.

Clean by design (owner-scoped reads and writes, versioned updates, create-only puts), so
a run's cost is the cost of probing, not of reporting. Resources share one table whose
key is `<kind>#<id>`, as single-table DynamoDB designs do.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import uuid
from decimal import Decimal
from typing import Annotated, Any

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Response
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

KINDS = (
    "invoices",
    "customers",
    "products",
    "shipments",
    "tickets",
    "documents",
    "contacts",
    "devices",
    "reports",
)
Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class Credentials(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9]{3,20}$")
    password: str


class ThingIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    note: str = ""


class ThingUpdate(ThingIn):
    version: int


class Thing(BaseModel):
    id: str
    name: str
    note: str
    owner: str
    version: int


class Page(BaseModel):
    items: list[Thing]
    next: str | None = None


def _resource(kind: str, table: Any, me: Any) -> APIRouter:
    """list, create, read, replace (versioned), delete for one kind."""
    router = APIRouter(prefix=f"/{kind}", tags=[kind])
    Me = Annotated[str, Depends(me)]

    def key(item_id: str) -> dict[str, str]:
        return {"pk": f"{kind}#{item_id}"}

    def out(item: dict[str, Any]) -> dict[str, Any]:
        plain = {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}
        return {k: plain[k] for k in ("id", "name", "note", "owner", "version")}

    def mine(item_id: str, user: str) -> dict[str, Any]:
        item = table.get_item(Key=key(item_id)).get("Item")
        if item is None or item["owner"] != user:
            raise HTTPException(404, "not found")
        return out(item)

    @router.get("", response_model=Page, operation_id=f"list_{kind}")
    def list_(user: Me) -> dict[str, Any]:
        items = table.scan()["Items"]
        return {"items": [out(i) for i in items if i["kind"] == kind and i["owner"] == user]}

    @router.post("", status_code=201, response_model=Thing, operation_id=f"create_{kind}")
    def create(body: ThingIn, user: Me) -> dict[str, Any]:
        new_id = uuid.uuid4().hex
        item = {**key(new_id), "kind": kind, "id": new_id, "owner": user, "version": 1}
        item |= body.model_dump()
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        return out(item)

    @router.get("/{item_id}", response_model=Thing, operation_id=f"read_{kind}")
    def read(item_id: Id, user: Me) -> dict[str, Any]:
        return mine(item_id, user)

    @router.put("/{item_id}", response_model=Thing, operation_id=f"replace_{kind}")
    def replace(item_id: Id, body: ThingUpdate, user: Me) -> dict[str, Any]:
        try:
            new = table.update_item(
                Key=key(item_id),
                UpdateExpression="SET #n = :n, note = :t ADD version :one",
                ConditionExpression="#o = :me AND version = :seen",
                ExpressionAttributeNames={"#n": "name", "#o": "owner"},
                ExpressionAttributeValues={
                    ":n": body.name,
                    ":t": body.note,
                    ":one": 1,
                    ":me": user,
                    ":seen": body.version,
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError:
            raise HTTPException(409, "changed or not found") from None
        return out(new)

    @router.delete("/{item_id}", status_code=204, operation_id=f"delete_{kind}")
    def delete(item_id: Id, user: Me) -> Response:
        try:
            table.delete_item(
                Key=key(item_id),
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":me": user},
            )
        except ClientError:
            raise HTTPException(404, "not found") from None
        return Response(status_code=204)

    return router


def make_app(bug: str | None = None) -> Zoo:
    """The wide API (no planted bug: it exists to measure cost)."""
    assert bug is None, bug
    users = dynamo_table(table_name("wide-users"), "username")
    table = dynamo_table(table_name("wide"), "pk")
    api = FastAPI(title="wide")

    def me(authorization: Annotated[str, Header()] = "") -> str:
        name = subject(authorization.removeprefix("Bearer "))
        if name is None:
            raise HTTPException(401, "not signed in")
        return name

    @api.post("/signup", status_code=201)
    def signup(body: Credentials) -> dict[str, str]:
        try:
            users.put_item(
                Item={"username": body.username, "pw": hash_password(body.password)},
                ConditionExpression="attribute_not_exists(username)",
            )
        except ClientError:
            raise HTTPException(409, "taken") from None
        return {"username": body.username}

    @api.post("/login")
    def login(body: Credentials) -> dict[str, str]:
        item = users.get_item(Key={"username": body.username}).get("Item")
        if item is None or item["pw"] != hash_password(body.password):
            raise HTTPException(401, "bad credentials")
        return {"access_token": issue(body.username)}

    @api.get("/users/me")
    def whoami(user: Annotated[str, Depends(me)]) -> dict[str, str]:
        return {"username": user}

    @api.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/version")
    def version() -> dict[str, str]:
        return {"version": "1.0.0"}

    for kind in KINDS:
        api.include_router(_resource(kind, table, me))

    async def login_as(client: Any, name: str) -> str:
        creds = {"username": name, "password": PASSWORD}
        await client.post("/signup", json=creds)
        answer = await client.post("/login", json=creds)
        return f"Authorization: Bearer {expect_ok(answer).json()['access_token']}"

    def snapshot() -> set[str]:
        return {f"user:{k}" for k in scan_keys(users, "username")} | scan_keys(table, "pk")

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=login_as)
