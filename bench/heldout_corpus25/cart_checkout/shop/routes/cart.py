from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Response, status

from ..auth import Principal, current_principal
from ..db import Tables, get_tables
from ..schemas import CartAdd, CartLineUpdate, GuestCart, Sku
from ..settings import get_settings

router = APIRouter(prefix="/cart", tags=["cart"])
settings = get_settings()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@router.get("")
async def get_cart(
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    resp = await tables.carts.query(KeyConditionExpression=Key("user_sub").eq(me.sub))
    return resp["Items"]


@router.post("/items/{sku}", status_code=status.HTTP_204_NO_CONTENT)
async def add_to_cart(
    sku: Sku,
    body: CartAdd,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    product = (await tables.products.get_item(Key={"sku": sku})).get("Item")
    if product is None or not product.get("active", True):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown product")
    try:
        await tables.carts.update_item(
            Key={"user_sub": me.sub, "sku": sku},
            UpdateExpression="ADD quantity :q SET unit_price_cents = :p, added_at = if_not_exists(added_at, :now)",
            ConditionExpression="attribute_not_exists(quantity) OR quantity <= :room",
            ExpressionAttributeValues={
                ":q": body.quantity,
                ":p": product["price_cents"],
                ":now": _now(),
                ":room": settings.max_line_quantity - body.quantity,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "quantity limit reached")
        raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/items/{sku}", status_code=status.HTTP_204_NO_CONTENT)
async def change_quantity(
    sku: Sku,
    body: CartLineUpdate,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    try:
        await tables.carts.update_item(
            Key={"user_sub": me.sub, "sku": body.sku},
            UpdateExpression="SET quantity = :q",
            ConditionExpression="attribute_exists(sku)",
            ExpressionAttributeValues={":q": body.quantity},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in cart")
        raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/items/{sku}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_from_cart(
    sku: Sku,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    try:
        await tables.carts.delete_item(
            Key={"user_sub": me.sub, "sku": sku},
            ConditionExpression="attribute_exists(sku)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in cart")
        raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/merge", status_code=status.HTTP_204_NO_CONTENT)
async def merge_guest_cart(
    body: GuestCart,
    me: Principal = Depends(current_principal),
    tables: Tables = Depends(get_tables),
):
    """Called by the SPA right after login with the cart kept in localStorage."""
    if not body.lines:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    added_at = _now()
    requests = [
        {
            "PutRequest": {
                "Item": {
                    "user_sub": {"S": me.sub},
                    "sku": {"S": line.sku},
                    "quantity": {"N": str(line.quantity)},
                    "added_at": {"S": added_at},
                }
            }
        }
        for line in body.lines
    ]
    await tables.client.batch_write_item(RequestItems={settings.carts_table: requests})
    return Response(status_code=status.HTTP_204_NO_CONTENT)
