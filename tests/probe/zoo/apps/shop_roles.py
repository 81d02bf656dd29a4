"""A shop with staff: FastAPI + boto3, role-gated catalogue and order approval.

As such services are written: a user's role lives in the user record (`customer` or
`admin`) and travels in the access token as a claim, so requests need no lookup; the
catalogue is keyed by the SKU an admin chooses; customers place orders and cancel them,
admins approve them. Lists come as `{"Items": [...], "Count": n}` (the DynamoDB scan's
own shape, passed through).
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Path, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    claims,
    dynamo_table,
    expect_ok,
    hash_password,
    issue,
    scan_keys,
    table_name,
)

BUGS = {
    "catalogue_delete_any": "DELETE /catalogue/{sku} forgets the admin check",
    "approve_any": "POST /orders/{order_id}/approve forgets the admin check",
    "catalogue_overwrite": "POST /catalogue puts without attribute_not_exists(sku)",
    "unauth_order": "GET /orders/{order_id} works without credentials",
    "orders_list_all": "GET /orders lists every customer's orders",
}
SKU = r"^[A-Z0-9-]{3,24}$"
UUID = r"^[0-9a-f]{32}$"


class Signup(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8)


class Account(BaseModel):
    email: str
    role: Literal["customer", "admin"]


class ProductIn(BaseModel):
    sku: str = Field(pattern=SKU)
    name: str
    price_cents: int = Field(ge=0, le=10_000_000)


class Product(ProductIn):
    revision: int


class ProductUpdate(BaseModel):
    name: str
    price_cents: int = Field(ge=0, le=10_000_000)
    revision: int  # the one the client read: a stale one is refused (409)


class Products(BaseModel):
    Items: list[Product]
    Count: int


class OrderIn(BaseModel):
    sku: str = Field(pattern=SKU)
    quantity: int = Field(ge=1, le=100)


class Order(BaseModel):
    order_id: str
    customer: str
    sku: str
    quantity: int
    status: Literal["placed", "approved", "cancelled"]


class Orders(BaseModel):
    Items: list[Order]
    Count: int


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB numbers as ints."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The shop with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    accounts = dynamo_table(table_name("shop-accounts"), "email")
    catalogue = dynamo_table(table_name("catalogue"), "sku")
    orders = dynamo_table(table_name("orders"), "order_id")
    api = FastAPI(title="shop")
    bearer = HTTPBearer(auto_error=False)

    def account(
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> dict[str, Any] | None:
        found = claims(creds.credentials) if creds else None
        return {"email": found["sub"], "role": found["role"]} if found else None

    def signed_in(user: Annotated[dict[str, Any] | None, Depends(account)]) -> dict[str, Any]:
        if user is None:
            raise HTTPException(401, "sign in first")
        return user

    def admin(user: Annotated[dict[str, Any], Depends(signed_in)]) -> dict[str, Any]:
        if user["role"] != "admin":
            raise HTTPException(403, "staff only")
        return user

    User = Annotated[dict[str, Any], Depends(signed_in)]
    Admin = Annotated[dict[str, Any], Depends(admin)]
    deleter = signed_in if bug == "catalogue_delete_any" else admin
    approver = signed_in if bug == "approve_any" else admin
    reader = account if bug == "unauth_order" else signed_in
    Sku = Annotated[str, Path(pattern=SKU)]
    OrderId = Annotated[str, Path(pattern=UUID)]

    @api.post("/accounts", status_code=201, response_model=Account)
    def sign_up(body: Signup) -> dict[str, Any]:
        item = {"email": body.email, "role": "customer", "pw": hash_password(body.password)}
        try:
            accounts.put_item(Item=item, ConditionExpression="attribute_not_exists(email)")
        except ClientError:
            raise HTTPException(409, "email already registered") from None
        return item

    @api.post("/sessions")
    def sign_in(body: Signup) -> dict[str, str]:
        item = accounts.get_item(Key={"email": body.email}).get("Item")
        if item is None or item["pw"] != hash_password(body.password):
            raise HTTPException(401, "wrong email or password")
        return {"access_token": issue(body.email, email=body.email, role=item["role"])}

    @api.get("/account", response_model=Account)
    def my_account(user: User) -> dict[str, Any]:
        return user

    @api.get("/catalogue", response_model=Products)
    def browse(user: User) -> dict[str, Any]:
        page = catalogue.scan()
        return {"Items": [plain(i) for i in page["Items"]], "Count": page["Count"]}

    @api.post("/catalogue", status_code=201, response_model=Product)
    def add_product(body: ProductIn, staff: Admin) -> dict[str, Any]:
        guard = (
            {}
            if bug == "catalogue_overwrite"
            else {"ConditionExpression": "attribute_not_exists(sku)"}
        )
        item = {**body.model_dump(), "revision": 1}
        try:
            catalogue.put_item(Item=item, **guard)
        except ClientError:
            raise HTTPException(409, "sku exists") from None
        return item

    @api.get("/catalogue/{sku}", response_model=Product)
    def product(sku: Sku, user: User) -> dict[str, Any]:
        item = catalogue.get_item(Key={"sku": sku}).get("Item")
        if item is None:
            raise HTTPException(404, "no such product")
        return plain(item)

    @api.put("/catalogue/{sku}", response_model=Product)
    def edit_product(sku: Sku, body: ProductUpdate, staff: Admin) -> dict[str, Any]:
        try:
            new = catalogue.update_item(
                Key={"sku": sku},
                UpdateExpression="SET #n = :n, price_cents = :p ADD revision :one",
                ConditionExpression="attribute_exists(sku) AND revision = :seen",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={
                    ":n": body.name,
                    ":p": body.price_cents,
                    ":seen": body.revision,
                    ":one": 1,
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError:
            raise HTTPException(409, "changed since you read it, or no such product") from None
        return plain(new)

    @api.delete("/catalogue/{sku}", status_code=204)
    def drop_product(sku: Sku, user: Annotated[dict[str, Any], Depends(deleter)]) -> Response:
        try:
            catalogue.delete_item(Key={"sku": sku}, ConditionExpression="attribute_exists(sku)")
        except ClientError:
            raise HTTPException(404, "no such product") from None
        return Response(status_code=204)

    def order_of(order_id: str, user: dict[str, Any] | None) -> dict[str, Any]:
        item = orders.get_item(Key={"order_id": order_id}).get("Item")
        visible = item is not None and (
            (user is None and bug == "unauth_order")
            or (user is not None and (user["role"] == "admin" or item["customer"] == user["email"]))
        )
        if not visible:
            raise HTTPException(404, "no such order")
        return plain(item)  # type: ignore[arg-type]

    @api.get("/orders", response_model=Orders)
    def my_orders(user: User) -> dict[str, Any]:
        items = [plain(i) for i in orders.scan()["Items"]]
        if bug != "orders_list_all" and user["role"] != "admin":
            items = [i for i in items if i["customer"] == user["email"]]
        return {"Items": items, "Count": len(items)}

    @api.post("/orders", status_code=201, response_model=Order)
    def place(body: OrderIn, user: User) -> dict[str, Any]:
        item = {
            "order_id": uuid.uuid4().hex,
            "customer": user["email"],
            "status": "placed",
            **body.model_dump(),
        }
        orders.put_item(Item=item)
        return item

    @api.get("/orders/{order_id}", response_model=Order)
    def read_order(
        order_id: OrderId, user: Annotated[dict[str, Any] | None, Depends(reader)]
    ) -> dict[str, Any]:
        return order_of(order_id, user)

    def move(order_id: str, status: str, allowed_from: str) -> dict[str, Any]:
        try:
            new = orders.update_item(
                Key={"order_id": order_id},
                UpdateExpression="SET #s = :to",
                ConditionExpression="#s = :from",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":to": status, ":from": allowed_from},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError:
            raise HTTPException(409, f"order is not {allowed_from}") from None
        return plain(new)

    @api.post("/orders/{order_id}/approve", response_model=Order)
    def approve(
        order_id: OrderId, user: Annotated[dict[str, Any], Depends(approver)]
    ) -> dict[str, Any]:
        order_of(order_id, {**user, "role": "admin"} if bug == "approve_any" else user)
        return move(order_id, "approved", "placed")

    @api.post("/orders/{order_id}/cancel", response_model=Order)
    def cancel(order_id: OrderId, user: User) -> dict[str, Any]:
        order_of(order_id, user)
        return move(order_id, "cancelled", "placed")

    @api.delete("/orders/{order_id}", status_code=204)
    def forget(order_id: OrderId, user: User) -> Response:
        order_of(order_id, user)
        orders.delete_item(Key={"order_id": order_id})
        return Response(status_code=204)

    async def login_as(client: Any, name: str) -> str:
        creds = {"email": f"{name}@shop.example", "password": PASSWORD}
        await client.post("/accounts", json=creds)
        answer = await client.post("/sessions", json=creds)
        return f"Authorization: Bearer {expect_ok(answer).json()['access_token']}"

    def promote(name: str) -> None:
        accounts.update_item(
            Key={"email": f"{name}@shop.example"},
            UpdateExpression="SET #r = :a",
            ExpressionAttributeNames={"#r": "role"},
            ExpressionAttributeValues={":a": "admin"},
        )

    def snapshot() -> set[str]:
        return (
            {f"account:{k}" for k in scan_keys(accounts, "email")}
            | {f"product:{k}" for k in scan_keys(catalogue, "sku")}
            | {f"order:{k}" for k in scan_keys(orders, "order_id")}
        )

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=login_as, promote=promote)
