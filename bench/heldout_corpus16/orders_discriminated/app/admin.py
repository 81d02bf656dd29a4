"""Operations routes. Mounted in main.py behind require_role("ops")."""
import json
import os
import uuid
from datetime import datetime, timezone
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from app.db import TABLE, from_item, get_client, order_key, to_item
from app.schemas import OrderId, OrderSummary, RefundIn, TrackingIn

router = APIRouter(tags=["admin"])

sns = boto3.client("sns")
SHIPPING_TOPIC_ARN = os.environ.get("SHIPPING_TOPIC_ARN", "")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


@router.get("/orders", response_model=list[OrderSummary])
async def orders_by_status(
    status: Literal["placed", "paid", "shipped", "delivered", "refunded"] = "paid",
    client: Any = Depends(get_client),
):
    resp = await client.query(
        TableName=TABLE,
        IndexName="gsi2",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
        Limit=100,
    )
    return [from_item(i) for i in resp["Items"]]


@router.post("/orders/{order_id}/ship", status_code=204)
async def ship_order(order_id: OrderId, body: TrackingIn, client: Any = Depends(get_client)):
    try:
        await client.update_item(
            TableName=TABLE,
            Key=order_key(order_id),
            UpdateExpression="SET #s = :shipped, carrier = :c, tracking_number = :t, shipped_at = :now",
            ConditionExpression="#s = :paid",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":shipped": {"S": "shipped"}, ":paid": {"S": "paid"},
                ":c": {"S": body.carrier}, ":t": {"S": body.tracking_number},
                ":now": {"S": utcnow()},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="only paid orders can ship")
        raise
    sns.publish(
        TopicArn=SHIPPING_TOPIC_ARN,
        Message=json.dumps({"order_id": order_id, "carrier": body.carrier,
                            "tracking_number": body.tracking_number}),
    )


@router.post("/orders/{order_id}/deliver", status_code=204)
async def mark_delivered(order_id: OrderId, client: Any = Depends(get_client)):
    await client.update_item(
        TableName=TABLE,
        Key=order_key(order_id),
        UpdateExpression="SET #s = :delivered, delivered_at = :now",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":delivered": {"S": "delivered"}, ":now": {"S": utcnow()}},
    )


@router.post("/orders/{order_id}/refund", status_code=201)
async def refund_order(order_id: OrderId, body: RefundIn, client: Any = Depends(get_client)):
    resp = await client.get_item(TableName=TABLE, Key=order_key(order_id), ConsistentRead=True)
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="order not found")
    meta = from_item(resp["Item"])
    refundable = int(meta["total_cents"]) - int(meta.get("refunded_cents", 0))
    if meta["status"] not in ("paid", "shipped", "delivered") or body.amount_cents > refundable:
        raise HTTPException(status_code=409, detail="nothing left to refund")

    refund_id = str(uuid.uuid4())
    await client.put_item(
        TableName=TABLE,
        Item=to_item({"pk": f"ORDER#{order_id}", "sk": f"REFUND#{refund_id}",
                      "amount_cents": body.amount_cents, "reason": body.reason,
                      "created_at": utcnow()}),
        ConditionExpression="attribute_not_exists(sk)",
    )
    await client.update_item(
        TableName=TABLE,
        Key=order_key(order_id),
        UpdateExpression="SET #s = :refunded ADD refunded_cents :a",
        ConditionExpression=(
            "#s IN (:paid, :shipped, :delivered) AND "
            "(attribute_not_exists(refunded_cents) OR refunded_cents <= :limit)"
        ),
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":refunded": {"S": "refunded"}, ":a": {"N": str(body.amount_cents)},
            ":paid": {"S": "paid"}, ":shipped": {"S": "shipped"}, ":delivered": {"S": "delivered"},
            ":limit": {"N": str(int(meta["total_cents"]) - body.amount_cents)},
        },
    )
    return {"refund_id": refund_id}
