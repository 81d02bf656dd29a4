import secrets
from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from .. import repository as repo
from ..auth import Principal, current_user
from ..db import is_conditional_failure
from ..schemas import (
    CouponIn,
    InvoiceOut,
    NotesIn,
    OrderId,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderStatus,
    ShippingChange,
)

router = APIRouter(prefix="/orders", tags=["orders"])


def _new_order_id() -> str:
    return secrets.token_hex(16)


@router.post("/", status_code=201, response_model=OrderOut)
def place_order(
    body: OrderIn,
    user: Principal = Depends(current_user),
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=8, max_length=64),
):
    previous = repo.find_idempotent_response(user.sub, idempotency_key)
    if previous is not None:
        if previous.get("state") != "DONE":
            raise HTTPException(status_code=409, detail="the same request is still in progress")
        return repo.get_order(user.sub, previous["order_id"])
    if repo.get_address(user.sub, body.address_label) is None:
        raise HTTPException(status_code=422, detail="unknown address label")
    try:
        repo.claim_idempotency_key(user.sub, idempotency_key)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="the same request is still in progress")
        raise
    lines = [line.model_dump() for line in body.lines]
    order = repo.create_order(
        user.sub,
        _new_order_id(),
        {
            "lines": lines,
            "total_cents": sum(l["quantity"] * l["unit_price_cents"] for l in lines),
            "external_ref": body.external_ref,
            "address_label": body.address_label,
        },
    )
    repo.complete_idempotency_key(user.sub, idempotency_key, order["order_id"])
    return order


@router.get("/", response_model=OrderPage)
async def list_orders(
    user: Principal = Depends(current_user),
    cursor: str = Query(None, max_length=512),
    limit: int = Query(20, ge=1, le=100),
):
    try:
        items, next_cursor = await run_in_threadpool(repo.list_orders, user.sub, cursor, limit)
    except ValueError:
        raise HTTPException(status_code=400, detail="bad cursor")
    return OrderPage(items=items, next_cursor=next_cursor)


@router.get("/search/", response_model=list[OrderOut])
def search_orders(status: OrderStatus, user: Principal = Depends(current_user)):
    return repo.orders_with_status(user.sub, status)


@router.get("/by-reference/", response_model=list[OrderOut])
def orders_by_reference(
    ref: str = Query(..., min_length=3, max_length=40),
    user: Principal = Depends(current_user),
):
    """Customers paste the reference printed on their packing slip."""
    return repo.orders_by_external_ref(ref)


@router.get("/{order_id}/", response_model=OrderOut)
def get_order(order_id: OrderId, user: Principal = Depends(current_user)):
    order = repo.get_order(user.sub, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    return order


@router.get("/{order_id}/receipt/")
def order_receipt(order_id: OrderId, user: Principal = Depends(current_user)):
    order = repo.find_order(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    return order


@router.get("/{order_id}/invoice/", response_model=InvoiceOut)
def order_invoice(order_id: OrderId, user: Principal = Depends(current_user)):
    order = repo.find_order(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    if order["owner_id"] != user.sub:
        raise HTTPException(status_code=403, detail="not your order")
    if order["status"] not in ("PAID", "SHIPPED", "DELIVERED"):
        raise HTTPException(status_code=409, detail="order not paid yet")
    return InvoiceOut(**order)


@router.post("/{order_id}/cancel/", response_model=OrderOut)
def cancel_order(order_id: OrderId, user: Principal = Depends(current_user)):
    try:
        return repo.cancel_order(user.sub, order_id)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="order can no longer be cancelled")
        raise


@router.put("/{order_id}/shipping-address/", response_model=OrderOut)
def change_shipping_address(
    order_id: OrderId, body: ShippingChange, user: Principal = Depends(current_user)
):
    address = repo.get_address(user.sub, body.address_label)
    if address is None:
        raise HTTPException(status_code=422, detail="unknown address label")
    address = {k: v for k, v in address.items() if k not in ("PK", "SK", "entity")}
    try:
        return repo.set_shipping_address(user.sub, body.order_id, address)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="order already shipped")
        raise


@router.post("/{order_id}/apply-coupon/", response_model=OrderOut)
def apply_coupon(order_id: OrderId, body: CouponIn, user: Principal = Depends(current_user)):
    coupon = repo.get_coupon(body.code)
    now = datetime.now(timezone.utc).isoformat()
    if coupon is None or coupon["expires_at"] < now:
        raise HTTPException(status_code=404, detail="unknown or expired coupon")
    if coupon["remaining_uses"] <= 0:
        raise HTTPException(status_code=409, detail="coupon fully redeemed")
    repo.consume_coupon(body.code)
    try:
        return repo.apply_discount(user.sub, order_id, body.code, coupon["percent_off"])
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="order is not pending or has a coupon")
        raise


@router.put("/{order_id}/notes/", response_model=OrderOut)
def set_notes(order_id: OrderId, body: NotesIn, user: Principal = Depends(current_user)):
    return repo.set_order_notes(user.sub, order_id, body.notes)


@router.post("/{order_id}/confirm-delivery/", response_model=OrderOut)
def confirm_delivery(order_id: str, user: Principal = Depends(current_user)):
    try:
        return repo.mark_delivered(user.sub, order_id)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=404, detail="order not found")
        raise
