import asyncio
import uuid
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status

from ..auth import Principal, current_principal
from ..db import Tables, get_tables
from ..schemas import (
    CheckoutRequest,
    ExpressOrder,
    OrderId,
    OrderOut,
    OrderSummary,
    ReturnRequest,
)
from ..settings import get_settings

router = APIRouter(tags=["orders"])
settings = get_settings()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _new_order_id() -> str:
    return f"ord_{uuid.uuid4().hex}"


async def _load_prices(tables: Tables, skus: list[str]) -> dict[str, dict]:
    resp = await tables.resource.batch_get_item(
        RequestItems={
            settings.products_table: {
                "Keys": [{"sku": s} for s in skus],
                "ProjectionExpression": "sku, price_cents, active",
            }
        }
    )
    return {p["sku"]: p for p in resp["Responses"].get(settings.products_table, [])}


@router.post("/checkout", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
async def checkout(
    body: CheckoutRequest,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    cart = await tables.carts.query(KeyConditionExpression=Key("user_sub").eq(me.sub))
    lines = cart["Items"]
    if not lines:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "cart is empty")

    catalogue = await _load_prices(tables, [line["sku"] for line in lines])
    order_lines = []
    for line in lines:
        product = catalogue.get(line["sku"])
        if product is None or not product.get("active", True):
            raise HTTPException(status.HTTP_409_CONFLICT, f"{line['sku']} is no longer sold")
        order_lines.append(
            {"sku": line["sku"], "quantity": int(line["quantity"]), "unit_price_cents": int(product["price_cents"])}
        )
    subtotal = sum(l["quantity"] * l["unit_price_cents"] for l in order_lines)

    now = _now()
    discount = 0
    transact = []
    if body.coupon_code:
        coupon = (await tables.coupons.get_item(Key={"code": body.coupon_code})).get("Item")
        if coupon is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown coupon")
        discount = subtotal * int(coupon["percent_off"]) // 100
        transact.append(
            {
                "Update": {
                    "TableName": settings.coupons_table,
                    "Key": {"code": body.coupon_code},
                    "UpdateExpression": "ADD uses :one",
                    "ConditionExpression": "active = :yes AND expires_at > :now AND uses < max_uses",
                    "ExpressionAttributeValues": {":one": 1, ":yes": True, ":now": now},
                }
            }
        )

    for l in order_lines:
        transact.append(
            {
                "Update": {
                    "TableName": settings.products_table,
                    "Key": {"sku": l["sku"]},
                    "UpdateExpression": "SET stock = stock - :q",
                    "ConditionExpression": "stock >= :q",
                    "ExpressionAttributeValues": {":q": l["quantity"]},
                }
            }
        )
        transact.append(
            {
                "Delete": {
                    "TableName": settings.carts_table,
                    "Key": {"user_sub": me.sub, "sku": l["sku"]},
                }
            }
        )

    order = {
        "order_id": _new_order_id(),
        "user_sub": me.sub,
        "status": "PENDING_PAYMENT",
        "lines": order_lines,
        "total_cents": subtotal - discount,
        "discount_cents": discount,
        "coupon_code": body.coupon_code,
        "shipping_address_id": body.shipping_address_id,
        "created_at": now,
    }
    transact.append(
        {
            "Put": {
                "TableName": settings.orders_table,
                "Item": order,
                "ConditionExpression": "attribute_not_exists(order_id)",
            }
        }
    )
    try:
        await tables.client.transact_write_items(TransactItems=transact)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                "some items are out of stock or the coupon can no longer be used",
            )
        raise
    return order


@router.post("/checkout/express", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
async def express_checkout(
    body: ExpressOrder,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    """One-click "buy now" from the product page, bypassing the cart."""
    order = {
        "order_id": _new_order_id(),
        "user_sub": me.sub,
        "status": "PENDING_PAYMENT",
        "lines": [body.model_dump(include={"sku", "quantity", "unit_price_cents"})],
        "total_cents": body.unit_price_cents * body.quantity,
        "discount_cents": 0,
        "currency": body.currency,
        "shipping_address_id": body.shipping_address_id,
        "created_at": _now(),
    }
    await asyncio.gather(
        tables.orders.put_item(
            Item=order, ConditionExpression="attribute_not_exists(order_id)"
        ),
        tables.products.update_item(
            Key={"sku": body.sku},
            UpdateExpression="SET stock = stock - :q",
            ExpressionAttributeValues={":q": body.quantity},
        ),
    )
    return order


@router.get("/orders", response_model=list[OrderSummary], response_model_exclude_none=True)
async def list_orders(
    fields: list[str] = Query(default=["order_id", "status", "total_cents", "created_at"]),
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    wanted = ["order_id", *(f for f in fields if f != "order_id")]
    names = {f"#f{i}": name for i, name in enumerate(wanted)}
    resp = await tables.orders.query(
        IndexName="user_sub-created_at-index",
        KeyConditionExpression=Key("user_sub").eq(me.sub),
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
        ScanIndexForward=False,
        Limit=50,
    )
    return resp["Items"]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: OrderId,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    order = (await tables.orders.get_item(Key={"order_id": order_id})).get("Item")
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
    if order["user_sub"] != me.sub:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your order")
    return order


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: OrderId,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    order = (await tables.orders.get_item(Key={"order_id": order_id})).get("Item")
    if order is None or order["user_sub"] != me.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
    if order["status"] not in ("PENDING_PAYMENT", "PLACED"):
        raise HTTPException(status.HTTP_409_CONFLICT, "order can no longer be cancelled")

    await tables.orders.update_item(
        Key={"order_id": order_id},
        UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
        ConditionExpression="user_sub = :me",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": "CANCELLED", ":now": _now(), ":me": me.sub},
    )
    await asyncio.gather(
        *(
            tables.products.update_item(
                Key={"sku": line["sku"]},
                UpdateExpression="ADD stock :q",
                ExpressionAttributeValues={":q": int(line["quantity"])},
            )
            for line in order["lines"]
        )
    )
    order["status"] = "CANCELLED"
    return order


@router.post("/orders/{order_id}/returns", status_code=status.HTTP_202_ACCEPTED)
async def request_return(
    order_id: OrderId,
    body: ReturnRequest,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    return_id = f"ret_{uuid.uuid4().hex}"
    try:
        await tables.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": settings.orders_table,
                        "Key": {"order_id": order_id},
                        "UpdateExpression": "SET return_id = :r",
                        "ConditionExpression": "#s = :delivered AND attribute_not_exists(return_id)",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":r": return_id, ":delivered": "DELIVERED"},
                    }
                },
                {
                    "Put": {
                        "TableName": settings.returns_table,
                        "Item": {
                            "return_id": return_id,
                            "order_id": order_id,
                            "requested_by": me.sub,
                            "reason": body.reason,
                            "created_at": _now(),
                        },
                        "ConditionExpression": "attribute_not_exists(return_id)",
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "this order cannot be returned")
        raise
    return {"return_id": return_id}
