import uuid
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from ..db import OrderRepository, ProductRepository, get_orders, get_products
from ..security import Principal, current_principal, require_staff

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderLine(BaseModel):
    sku: str = Field(max_length=32)
    quantity: int = Field(gt=0)


class OrderIn(BaseModel):
    lines: list[OrderLine]
    note: str = ""


class OrderOut(BaseModel):
    order_id: str
    status: str
    lines: list[OrderLine]


@router.post("", response_model=OrderOut, status_code=201)
def place_order(
    body: OrderIn,
    me: Principal = Depends(current_principal),
    orders: OrderRepository = Depends(get_orders),
    products: ProductRepository = Depends(get_products),
):
    for line in body.lines:
        products.adjust_stock(line.sku, -line.quantity)
    order = {
        "order_id": uuid.uuid4().hex,
        "customer_id": me.sub,
        "status": "PLACED",
        "lines": [line.model_dump() for line in body.lines],
        "total": Decimal("0"),
    }
    orders.put(order)
    return order


@router.get("", response_model=list[OrderOut])
def my_orders(me: Principal = Depends(current_principal), orders: OrderRepository = Depends(get_orders)):
    return orders.for_customer(me.sub)


@router.get("/{order_id}", response_model=OrderOut)
def get_order(order_id: str, me: Principal = Depends(current_principal), orders: OrderRepository = Depends(get_orders)):
    order = orders.get({"order_id": order_id})
    if order is None or order["customer_id"] != me.sub:
        raise HTTPException(404, "order not found")
    return order


@router.post("/{order_id}/cancel", response_model=OrderOut)
def cancel_order(order_id: str, me: Principal = Depends(current_principal), orders: OrderRepository = Depends(get_orders)):
    order = orders.get({"order_id": order_id})
    if order is None or order["customer_id"] != me.sub:
        raise HTTPException(404, "order not found")
    if order["status"] not in ("PLACED", "PAID"):
        raise HTTPException(409, "order can no longer be cancelled")
    return orders.set_status(order_id, "CANCELLED")


@router.post("/{order_id}/ship", response_model=OrderOut)
def ship_order(order_id: str, staff: Principal = Depends(require_staff), orders: OrderRepository = Depends(get_orders)):
    return orders.set_status(order_id, "SHIPPED")
