import uuid
from datetime import datetime, timezone
from typing import Literal

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field

from ..auth import Principal, require_permission
from ..db import Tables, get_tables
from ..schemas import OrderId, OrderOut, RefundRequest, ShipmentIn
from ..settings import get_settings

router = APIRouter(prefix="/staff", tags=["staff"])
settings = get_settings()


class CouponIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9]{4,16}$")
    percent_off: int = Field(gt=0, le=90)
    max_uses: int = Field(gt=0)
    expires_at: datetime


@router.get("/orders", response_model=list[OrderOut])
async def orders_by_status(
    order_status: Literal["PENDING_PAYMENT", "PLACED", "SHIPPED", "DELIVERED"] = Query(alias="status"),
    staff: Principal = Depends(require_permission("orders:read")),
    tables: Tables = Depends(get_tables),
):
    items: list[dict] = []
    kwargs = {
        "FilterExpression": "status = :s",
        "ExpressionAttributeValues": {":s": order_status},
    }
    while True:
        page = await tables.orders.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return items


@router.post("/orders/{order_id}/refund", response_model=OrderOut)
async def refund_order(
    order_id: OrderId,
    body: RefundRequest,
    staff: Principal = Depends(require_permission("orders:refund")),
    tables: Tables = Depends(get_tables),
):
    now = datetime.now(timezone.utc).isoformat()
    try:
        await tables.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": settings.orders_table,
                        "Key": {"order_id": order_id},
                        "UpdateExpression": "SET #s = :refunded, refunded_cents = :amt, refunded_at = :now",
                        "ConditionExpression": "#s IN (:placed, :shipped, :delivered) AND total_cents >= :amt",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {
                            ":refunded": "REFUNDED",
                            ":amt": body.amount_cents,
                            ":now": now,
                            ":placed": "PLACED",
                            ":shipped": "SHIPPED",
                            ":delivered": "DELIVERED",
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": settings.refunds_table,
                        "Item": {
                            "refund_id": f"rf_{uuid.uuid4().hex}",
                            "order_id": order_id,
                            "amount_cents": body.amount_cents,
                            "note": body.note,
                            "issued_by": staff.sub,
                            "created_at": now,
                        },
                        "ConditionExpression": "attribute_not_exists(refund_id)",
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "order is not refundable")
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=exc.response["Error"]["Message"])
    order = (await tables.orders.get_item(Key={"order_id": order_id}, ConsistentRead=True))["Item"]
    return order


@router.post("/orders/{order_id}/ship", status_code=status.HTTP_204_NO_CONTENT)
async def mark_shipped(
    order_id: OrderId,
    body: ShipmentIn,
    staff: Principal = Depends(require_permission("orders:fulfil")),
    tables: Tables = Depends(get_tables),
):
    try:
        await tables.orders.update_item(
            Key={"order_id": order_id},
            UpdateExpression="SET #s = :shipped, carrier = :c, tracking_number = :t, shipped_by = :by",
            ConditionExpression="attribute_exists(order_id)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":shipped": "SHIPPED",
                ":c": body.carrier,
                ":t": body.tracking_number,
                ":by": staff.sub,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "order not found")
        raise


@router.post("/coupons", status_code=status.HTTP_201_CREATED)
async def create_coupon(
    body: CouponIn,
    staff: Principal = Depends(require_permission("coupons:write")),
    tables: Tables = Depends(get_tables),
):
    try:
        await tables.coupons.put_item(
            Item={
                "code": body.code,
                "percent_off": body.percent_off,
                "max_uses": body.max_uses,
                "uses": 0,
                "active": True,
                "expires_at": body.expires_at.astimezone(timezone.utc).isoformat(),
                "created_by": staff.sub,
            },
            ConditionExpression="attribute_not_exists(code)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "coupon code already exists")
        raise
    return {"code": body.code}
