from __future__ import annotations

from typing import Any, Dict, List, Optional

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from starlette.concurrency import run_in_threadpool

from .. import repository as repo
from ..auth import CurrentUser, get_current_user
from ..config import get_settings, orders_table, shipments_table
from ..items import AddressUpdate, OrderId, OrderOut, OrderSparse, ShipmentOut

router = APIRouter(prefix="/v1", tags=["orders"])


@router.get("/orders", response_model=List[OrderSparse])
async def list_my_orders(
    fields: Optional[str] = Query(None, description="Comma separated attributes"),
    limit: int = Query(20, ge=1, le=100),
    user: CurrentUser = Depends(get_current_user),
) -> List[Dict[str, Any]]:
    orders = await run_in_threadpool(
        repo.list_orders, orders_table(), user.sub, limit, fields
    )
    return [dict(o) for o in orders]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_my_order(
    order_id: OrderId,  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> OrderOut:
    order = await run_in_threadpool(repo.get_order, orders_table(), user.sub, order_id)
    if order is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    return OrderOut.model_validate(order)


@router.put("/orders/{order_id}/delivery-address", status_code=204)
async def update_delivery_address(
    payload: AddressUpdate,
    order_id: OrderId = Path(...),  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> None:
    address = payload.model_dump(exclude={"order_id"}, exclude_none=True)

    def _write() -> None:
        orders_table().update_item(
            Key={"user_id": user.sub, "order_id": payload.order_id},
            UpdateExpression="SET delivery_address = :a",
            ConditionExpression="attribute_exists(order_id) AND #s = :placed",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":a": address, ":placed": "PLACED"},
        )

    try:
        await run_in_threadpool(_write)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Order can no longer be changed")
        raise


@router.post("/orders/{order_id}/cancel", status_code=202)
async def cancel_order(
    order_id: OrderId,  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> Dict[str, str]:
    table = orders_table()
    events = get_settings().notifications_table
    now = repo.utcnow()

    def _cancel() -> None:
        table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table.name,
                        "Key": {"user_id": {"S": user.sub}, "order_id": {"S": order_id}},
                        "UpdateExpression": "SET #s = :cancelling, updated_at = :now",
                        "ConditionExpression": "#s = :placed",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {
                            ":cancelling": {"S": "CANCELLING"},
                            ":placed": {"S": "PLACED"},
                            ":now": {"S": now},
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": events,
                        "Item": {
                            "user_id": {"S": user.sub},
                            "notification_id": {"S": f"{now}#cancel#{order_id}"},
                            "kind": {"S": "order.cancel_requested"},
                            "text": {"S": f"Cancellation requested for {order_id}"},
                        },
                        "ConditionExpression": "attribute_not_exists(notification_id)",
                    }
                },
            ]
        )

    try:
        await run_in_threadpool(_cancel)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="Order cannot be cancelled")
        raise
    return {"status": "CANCELLING"}


@router.get("/shipments", response_model=List[ShipmentOut])
async def list_my_shipments(user: CurrentUser = Depends(get_current_user)) -> List[ShipmentOut]:
    table = shipments_table()
    resp = await run_in_threadpool(
        table.query,
        IndexName="user-index",
        KeyConditionExpression=Key("user_id").eq(user.sub),
        ScanIndexForward=False,
    )
    return [ShipmentOut.model_validate(s) for s in resp.get("Items", [])]


@router.get("/shipments/{tracking_no}")
async def track_shipment(
    tracking_no: str,
    user: CurrentUser = Depends(get_current_user),
):
    table = shipments_table()
    resp = await run_in_threadpool(table.get_item, Key={"tracking_no": tracking_no})
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="Unknown tracking number")
    return item
