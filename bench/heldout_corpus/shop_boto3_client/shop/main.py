import hashlib
import secrets
import uuid
from datetime import datetime, timezone
from typing import Optional
from uuid import UUID

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field

from .dynamo import API_KEYS, CUSTOMERS, ORDERS, PRODUCTS, client, unmarshal

app = FastAPI(title="shop")

STAFF = {"ops@shop.example", "owner@shop.example"}


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_auth(x_api_key: str = Header(..., min_length=20, max_length=100)) -> str:
    resp = client.get_item(TableName=API_KEYS, Key={"key_hash": {"S": hash_key(x_api_key)}})
    item = resp.get("Item")
    if item is None or item.get("revoked", {}).get("BOOL", False):
        raise HTTPException(status_code=401, detail="Invalid API key")
    return item["email"]["S"]


def staff_only(caller: str = Depends(api_key_auth)) -> str:
    if caller not in STAFF:
        raise HTTPException(status_code=403, detail="Staff only")
    return caller


class CustomerIn(BaseModel):
    email: EmailStr
    name: str = Field(max_length=100)
    tier: str = "basic"


class CustomerPatch(BaseModel):
    name: Optional[str] = Field(default=None, max_length=100)
    phone: Optional[str] = Field(default=None, max_length=30)
    address: Optional[str] = Field(default=None, max_length=300)


class ProductOut(BaseModel):
    sku: str
    title: str
    price: float
    stock: int


class OrderIn(BaseModel):
    sku: str
    quantity: int = Field(gt=0, le=50)


class OrderOut(BaseModel):
    order_id: str
    sku: str
    quantity: int
    status: str
    created_at: str


class PriceIn(BaseModel):
    price: float = Field(gt=0)


class StatusIn(BaseModel):
    status: str


class MergeIn(BaseModel):
    source_order_id: UUID
    target_order_id: UUID


class CreditTransfer(BaseModel):
    to_email: EmailStr
    amount: int = Field(gt=0, le=10000)


@app.exception_handler(ClientError)
async def dynamodb_error(request: Request, exc: ClientError) -> JSONResponse:
    code = exc.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return JSONResponse(status_code=409, content={"detail": "Conflict"})
    return JSONResponse(status_code=500, content={"error": code, "detail": str(exc)})


@app.post("/customers", status_code=201)
def register(body: CustomerIn):
    client.put_item(
        TableName=CUSTOMERS,
        Item={
            "email": {"S": body.email},
            "name": {"S": body.name},
            "tier": {"S": body.tier},
            "credit": {"N": "0"},
            "created_at": {"S": utcnow()},
        },
    )
    raw_key = secrets.token_urlsafe(32)
    client.put_item(
        TableName=API_KEYS,
        Item={"key_hash": {"S": hash_key(raw_key)}, "email": {"S": body.email}, "revoked": {"BOOL": False}},
        ConditionExpression="attribute_not_exists(key_hash)",
    )
    return {"email": body.email, "api_key": raw_key}


@app.patch("/customers/me")
def update_me(body: CustomerPatch, caller: str = Depends(api_key_auth)):
    fields = body.dict(exclude_unset=True)
    if not fields:
        raise HTTPException(status_code=400, detail="Nothing to update")
    update = "SET " + ", ".join(f"{k} = :{k}" for k in fields)
    client.update_item(
        TableName=CUSTOMERS,
        Key={"email": {"S": caller}},
        UpdateExpression=update,
        ConditionExpression="attribute_exists(email)",
        ExpressionAttributeValues={f":{k}": {"S": v} for k, v in fields.items()},
    )
    return {"updated": sorted(fields)}


@app.get("/products", response_model=list[ProductOut])
def list_products():
    items, kwargs = [], {"TableName": PRODUCTS}
    while True:
        resp = client.scan(**kwargs)
        items.extend(unmarshal(i) for i in resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@app.get("/products/{sku}", response_model=ProductOut)
def get_product(sku: str = Path(..., pattern=r"^[A-Z0-9-]{3,32}$")):
    resp = client.get_item(TableName=PRODUCTS, Key={"sku": {"S": sku}})
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="Unknown product")
    return unmarshal(resp["Item"])


@app.put("/products/{sku}/price", status_code=204)
async def set_price(sku: str, body: PriceIn, staff: str = Depends(staff_only)):
    client.update_item(
        TableName=PRODUCTS,
        Key={"sku": {"S": sku}},
        UpdateExpression="SET price = :p, updated_by = :u",
        ExpressionAttributeValues={":p": {"N": str(body.price)}, ":u": {"S": staff}},
    )


@app.post("/orders", response_model=OrderOut, status_code=201)
def place_order(body: OrderIn, caller: str = Depends(api_key_auth)):
    order_id = str(uuid.uuid4())
    order = {"order_id": order_id, "sku": body.sku, "quantity": body.quantity, "status": "PENDING", "created_at": utcnow()}
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": PRODUCTS,
                    "Key": {"sku": {"S": body.sku}},
                    "UpdateExpression": "SET stock = stock - :q",
                    "ConditionExpression": "stock >= :q",
                    "ExpressionAttributeValues": {":q": {"N": str(body.quantity)}},
                }
            },
            {
                "Put": {
                    "TableName": ORDERS,
                    "Item": {
                        "order_id": {"S": order_id},
                        "customer_email": {"S": caller},
                        "sku": {"S": body.sku},
                        "quantity": {"N": str(body.quantity)},
                        "status": {"S": "PENDING"},
                        "created_at": {"S": order["created_at"]},
                    },
                    "ConditionExpression": "attribute_not_exists(order_id)",
                }
            },
        ]
    )
    return order


@app.get("/orders", response_model=list[OrderOut])
def my_orders(caller: str = Depends(api_key_auth)):
    resp = client.query(
        TableName=ORDERS,
        IndexName="by_customer",
        KeyConditionExpression="customer_email = :e",
        ExpressionAttributeValues={":e": {"S": caller}},
    )
    return [unmarshal(i) for i in resp["Items"]]


@app.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: UUID, caller: str = Depends(api_key_auth)):
    resp = client.get_item(TableName=ORDERS, Key={"order_id": {"S": str(order_id)}})
    item = resp.get("Item")
    if item is None or item["customer_email"]["S"] != caller:
        raise HTTPException(status_code=404, detail="Order not found")
    return unmarshal(item)


@app.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(order_id: UUID, caller: str = Depends(api_key_auth)):
    resp = client.get_item(TableName=ORDERS, Key={"order_id": {"S": str(order_id)}})
    item = resp.get("Item")
    if item is None or item["customer_email"]["S"] != caller:
        raise HTTPException(status_code=404, detail="Order not found")
    if item["status"]["S"] != "PENDING":
        raise HTTPException(status_code=409, detail="Only pending orders can be cancelled")
    updated = client.update_item(
        TableName=ORDERS,
        Key={"order_id": {"S": str(order_id)}},
        UpdateExpression="SET #s = :c, cancelled_at = :t",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "CANCELLED"}, ":t": {"S": utcnow()}},
        ReturnValues="ALL_NEW",
    )
    client.update_item(
        TableName=PRODUCTS,
        Key={"sku": item["sku"]},
        UpdateExpression="SET stock = stock + :q",
        ExpressionAttributeValues={":q": item["quantity"]},
    )
    return unmarshal(updated["Attributes"])


@app.post("/orders/{order_id}/ship", status_code=204)
def ship_order(order_id: UUID, staff: str = Depends(staff_only)):
    client.update_item(
        TableName=ORDERS,
        Key={"order_id": {"S": str(order_id)}},
        UpdateExpression="SET #s = :shipped, shipped_by = :u",
        ConditionExpression="#s = :paid",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":shipped": {"S": "SHIPPED"}, ":paid": {"S": "PAID"}, ":u": {"S": staff}},
    )


@app.post("/orders/{order_id}/status", status_code=204)
def set_order_status(order_id: UUID, body: StatusIn, staff: str = Depends(staff_only)):
    client.update_item(
        TableName=ORDERS,
        Key={"order_id": {"S": str(order_id)}},
        UpdateExpression="SET #s = :s",
        ConditionExpression="attribute_exists(order_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": body.status}},
    )


@app.post("/orders/merge", status_code=204)
def merge_orders(body: MergeIn, caller: str = Depends(api_key_auth)):
    src = client.get_item(TableName=ORDERS, Key={"order_id": {"S": str(body.source_order_id)}})["Item"]
    client.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": ORDERS, "Key": {"order_id": {"S": str(body.source_order_id)}}}},
            {
                "Update": {
                    "TableName": ORDERS,
                    "Key": {"order_id": {"S": str(body.target_order_id)}},
                    "UpdateExpression": "SET quantity = quantity + :q",
                    "ExpressionAttributeValues": {":q": src["quantity"]},
                }
            },
        ]
    )


@app.post("/credit/transfer", status_code=204)
def transfer_credit(body: CreditTransfer, caller: str = Depends(api_key_auth)):
    if body.to_email == caller:
        raise HTTPException(status_code=400, detail="Cannot transfer to yourself")
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": CUSTOMERS,
                    "Key": {"email": {"S": caller}},
                    "UpdateExpression": "SET credit = credit - :a",
                    "ConditionExpression": "credit >= :a",
                    "ExpressionAttributeValues": {":a": {"N": str(body.amount)}},
                }
            },
            {
                "Update": {
                    "TableName": CUSTOMERS,
                    "Key": {"email": {"S": body.to_email}},
                    "UpdateExpression": "SET credit = credit + :a",
                    "ConditionExpression": "attribute_exists(email)",
                    "ExpressionAttributeValues": {":a": {"N": str(body.amount)}},
                }
            },
        ]
    )


@app.get("/admin/orders")
def search_orders(field: str, value: str, staff: str = Depends(staff_only)):
    resp = client.scan(
        TableName=ORDERS,
        FilterExpression=f"{field} = :v",
        ExpressionAttributeValues={":v": {"S": value}},
    )
    return resp["Items"]
