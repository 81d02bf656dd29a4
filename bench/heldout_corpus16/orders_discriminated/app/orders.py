"""Customer-facing order routes over the single `orders` table.

Layout: pk = ORDER#<ulid>; sk = META for the order, ITEM#<n> for each line,
PAYMENT for the settled payment. gsi1 (gsi1pk = CUSTOMER#<sub>) lists a
customer's orders, gsi2 (status, created_at) is for operations.
"""
from datetime import datetime, timezone
from typing import Any, Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query
from ulid import ULID

from app.auth import Principal, current_principal
from app.db import CATALOG_TABLE, TABLE, from_item, get_client, order_key, to_item
from app.schemas import (
    Address, LineOut, MergeIn, OrderCreate, OrderId, OrderOut, OrderSummary,
    PaymentUpdate, ReceiptOut, ShippingAddressIn,
)

router = APIRouter(prefix="/orders", tags=["orders"])
me_router = APIRouter(prefix="/me", tags=["me"])


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


async def load_meta(client: Any, order_id: str) -> Optional[dict]:
    resp = await client.get_item(TableName=TABLE, Key=order_key(order_id), ConsistentRead=True)
    return from_item(resp["Item"]) if "Item" in resp else None


@router.post("", status_code=201, response_model=OrderSummary)
async def create_order(
    body: OrderCreate,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    skus = sorted({line.sku for line in body.lines})
    prices = await client.batch_get_item(
        RequestItems={CATALOG_TABLE: {"Keys": [{"sku": {"S": s}} for s in skus]}}
    )
    price_of = {
        p["sku"]: int(p["price_cents"])
        for p in map(from_item, prices["Responses"].get(CATALOG_TABLE, []))
    }
    if set(price_of) != set(skus):
        raise HTTPException(status_code=422, detail="unknown sku")

    order_id = str(ULID())
    created = utcnow()
    total = sum(price_of[line.sku] * line.quantity for line in body.lines)
    meta = {
        "pk": f"ORDER#{order_id}", "sk": "META", "order_id": order_id,
        "customer_id": principal.sub, "status": "placed", "total_cents": total,
        "payment": body.payment.model_dump(), "created_at": created,
        "gsi1pk": f"CUSTOMER#{principal.sub}", "gsi1sk": created,
    }
    writes = [{"Put": {"TableName": TABLE, "Item": to_item(meta),
                       "ConditionExpression": "attribute_not_exists(pk)"}}]
    for n, line in enumerate(body.lines, start=1):
        writes.append({"Put": {"TableName": TABLE, "Item": to_item({
            "pk": f"ORDER#{order_id}", "sk": f"ITEM#{n:03d}", "sku": line.sku,
            "quantity": line.quantity, "unit_price_cents": price_of[line.sku],
        }), "ConditionExpression": "attribute_not_exists(pk)"}})
    try:
        await client.transact_write_items(TransactItems=writes)
    except client.exceptions.TransactionCanceledException as exc:
        raise HTTPException(status_code=409, detail=f"order rejected: {exc}")
    return OrderSummary(order_id=order_id, status="placed", total_cents=total, created_at=created)


@router.get("", response_model=list[OrderSummary])
async def list_orders(
    fields: Optional[str] = Query(default=None, description="comma-separated projection"),
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    kwargs: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :c",
        "ExpressionAttributeValues": {":c": {"S": f"CUSTOMER#{principal.sub}"}},
        "ScanIndexForward": False,
    }
    if fields:
        kwargs["ProjectionExpression"] = fields
    resp = await client.query(**kwargs)
    return [from_item(i) for i in resp["Items"]]


@router.get("/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: OrderId,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    resp = await client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}},
    )
    rows = [from_item(i) for i in resp["Items"]]
    meta = next((r for r in rows if r["sk"] == "META"), None)
    if meta is None or meta["customer_id"] != principal.sub:
        raise HTTPException(status_code=404, detail="order not found")
    lines = [LineOut(**r) for r in rows if r["sk"].startswith("ITEM#")]
    return OrderOut(order_id=order_id, status=meta["status"], total_cents=meta["total_cents"],
                    created_at=meta["created_at"], lines=lines)


@router.get("/{order_id}/items", response_model=list[LineOut])
async def list_order_items(
    order_id: str,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    resp = await client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :item)",
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}, ":item": {"S": "ITEM#"}},
    )
    return [from_item(i) for i in resp["Items"]]


@router.put("/{order_id}/payment", status_code=204)
async def set_payment_method(
    order_id: OrderId,
    body: PaymentUpdate,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    try:
        await client.update_item(
            TableName=TABLE,
            Key=order_key(order_id),
            UpdateExpression="SET payment = :p, updated_at = :now",
            ConditionExpression="customer_id = :me AND #s = :placed",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":p": to_item({"v": body.payment.model_dump()})["v"],
                ":now": {"S": utcnow()},
                ":me": {"S": principal.sub},
                ":placed": {"S": "placed"},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="order cannot be changed")
        raise


@router.post("/{order_id}/cancel", status_code=204)
async def cancel_order(
    order_id: OrderId,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    meta = await load_meta(client, order_id)
    if meta is None or meta["customer_id"] != principal.sub:
        raise HTTPException(status_code=404, detail="order not found")
    if meta["status"] != "placed":
        raise HTTPException(status_code=409, detail="only placed orders can be cancelled")
    await client.update_item(
        TableName=TABLE,
        Key=order_key(order_id),
        UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
        ConditionExpression="customer_id = :me",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": {"S": "cancelled"}, ":now": {"S": utcnow()},
                                   ":me": {"S": principal.sub}},
    )


@router.put("/{order_id}/shipping-address", status_code=204)
async def set_shipping_address(
    order_id: OrderId,
    body: ShippingAddressIn,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    meta = await load_meta(client, order_id)
    if meta is None or meta["customer_id"] != principal.sub:
        raise HTTPException(status_code=404, detail="order not found")
    address = body.model_dump(exclude={"order_id"})
    await client.update_item(
        TableName=TABLE,
        Key=order_key(body.order_id),
        UpdateExpression="SET shipping_address = :a",
        ConditionExpression="#s IN (:placed, :paid)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":a": to_item({"a": address})["a"],
                                   ":placed": {"S": "placed"}, ":paid": {"S": "paid"}},
    )


@router.post("/merge", status_code=204)
async def merge_orders(
    body: MergeIn,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    if body.source_order_id == body.target_order_id:
        raise HTTPException(status_code=422, detail="cannot merge an order into itself")
    placed = {":placed": {"S": "placed"}}
    await client.transact_write_items(TransactItems=[
        {"Update": {
            "TableName": TABLE,
            "Key": order_key(body.source_order_id),
            "UpdateExpression": "SET #s = :merged, merged_into = :t",
            "ConditionExpression": "#s = :placed",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {**placed, ":merged": {"S": "merged"},
                                          ":t": {"S": body.target_order_id}},
        }},
        {"Update": {
            "TableName": TABLE,
            "Key": order_key(body.target_order_id),
            "UpdateExpression": "SET merged_from = list_append(if_not_exists(merged_from, :empty), :s)",
            "ConditionExpression": "#s = :placed",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {**placed, ":empty": {"L": []},
                                          ":s": {"L": [{"S": body.source_order_id}]}},
        }},
    ])


@router.delete("/{order_id}/items/{line_no}", status_code=204)
async def remove_line(
    order_id: OrderId,
    line_no: int,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    meta = await load_meta(client, order_id)
    if meta is None or meta["customer_id"] != principal.sub:
        raise HTTPException(status_code=404, detail="order not found")
    if meta["status"] != "placed":
        raise HTTPException(status_code=409, detail="order is no longer editable")
    await client.delete_item(
        TableName=TABLE,
        Key={"pk": f"ORDER#{order_id}", "sk": f"ITEM#{line_no:03d}"},
        ConditionExpression="attribute_exists(sk)",
    )


@router.get("/{order_id}/receipt", response_model=ReceiptOut)
async def get_receipt(
    order_id: OrderId,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    resp = await client.transact_get_items(TransactItems=[
        {"Get": {"TableName": TABLE, "Key": order_key(order_id)}},
        {"Get": {"TableName": TABLE, "Key": order_key(order_id, "PAYMENT")}},
    ])
    meta, payment = (from_item(r.get("Item", {})) for r in resp["Responses"])
    if not meta or meta["customer_id"] != principal.sub or not payment:
        raise HTTPException(status_code=404, detail="no receipt for this order")
    return ReceiptOut(order_id=order_id, total_cents=meta["total_cents"],
                      paid_at=payment["paid_at"], payment_intent=payment["payment_intent"])


@me_router.put("/default-address", status_code=204)
async def set_default_address(
    body: Address,
    principal: Principal = Depends(current_principal),
    client: Any = Depends(get_client),
):
    await client.put_item(
        TableName=TABLE,
        Item=to_item({"pk": f"CUSTOMER#{principal.sub}", "sk": "ADDRESS#default",
                      **body.model_dump(), "updated_at": utcnow()}),
    )
