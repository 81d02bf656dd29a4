from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from shop.auth import Seller, current_seller
from shop.db import CATALOG_TABLE, ORDERS_TABLE, get_ddb, orders_table, product_sk, shop_pk
from shop.schemas import CancelIn, OrderId, OrderOut, RefundIn

# Orders are written by the checkout service; sellers fulfil them here.
router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("", response_model=list[OrderOut])
async def list_orders(seller: Seller = Depends(current_seller), orders=Depends(orders_table)):
    resp = await orders.query(IndexName="by_shop", KeyConditionExpression=Key("shop_slug").eq(seller.shop))
    return resp["Items"]


@router.get("/{order_id}", response_model=OrderOut)
async def get_order(order_id: OrderId, seller: Seller = Depends(current_seller), orders=Depends(orders_table)):
    order = (await orders.get_item(Key={"order_id": order_id})).get("Item")
    if order is None or order["shop_slug"] != seller.shop:
        raise HTTPException(404, "order not found")
    return order


@router.post("/{order_id}/ship", response_model=OrderOut)
async def ship_order(order_id: OrderId, seller: Seller = Depends(current_seller), orders=Depends(orders_table)):
    try:
        resp = await orders.update_item(
            Key={"order_id": order_id},
            UpdateExpression="SET #s = :shipped",
            ConditionExpression="#s = :paid AND shop_slug = :shop",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":shipped": "SHIPPED", ":paid": "PAID", ":shop": seller.shop},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "order cannot be shipped")
        raise
    return resp["Attributes"]


@router.post("/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: OrderId, body: CancelIn, seller: Seller = Depends(current_seller), orders=Depends(orders_table)
):
    resp = await orders.update_item(
        Key={"order_id": order_id},
        UpdateExpression="SET #s = :cancelled, cancel_reason = :r, cancelled_by = :by",
        ConditionExpression="attribute_exists(order_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": "CANCELLED", ":r": body.reason, ":by": seller.seller_id},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.post("/{order_id}/refund", status_code=202)
async def refund_order(
    order_id: OrderId, body: RefundIn, seller: Seller = Depends(current_seller), ddb=Depends(get_ddb)
) -> dict:
    await ddb.meta.client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": ORDERS_TABLE,
                    "Key": {"order_id": order_id},
                    "UpdateExpression": "SET #s = :refunded",
                    "ConditionExpression": "#s = :shipped",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":refunded": "REFUNDED", ":shipped": "SHIPPED"},
                }
            },
            {
                "Update": {
                    "TableName": CATALOG_TABLE,
                    "Key": {"pk": shop_pk(seller.shop), "sk": product_sk(body.sku)},
                    "UpdateExpression": "SET stock = stock + :q",
                    "ConditionExpression": "attribute_exists(sk)",
                    "ExpressionAttributeValues": {":q": body.quantity},
                }
            },
        ]
    )
    return {"refunded": order_id}
