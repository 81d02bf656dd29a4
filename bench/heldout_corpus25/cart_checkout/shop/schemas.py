from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

SKU_PATTERN = r"^[A-Z0-9]{3,12}-[A-Z0-9]{2,8}$"
ORDER_ID_PATTERN = r"^ord_[0-9a-f]{32}$"

Sku = Annotated[str, Path(pattern=SKU_PATTERN)]
OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN)]
OrderStatus = Literal["PENDING_PAYMENT", "PLACED", "SHIPPED", "DELIVERED", "CANCELLED", "REFUNDED"]


class CartAdd(BaseModel):
    quantity: int = Field(gt=0, le=20)


class CartLineUpdate(BaseModel):
    sku: str
    quantity: int = Field(gt=0, le=20)


class GuestLine(BaseModel):
    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(gt=0, le=20)


class GuestCart(BaseModel):
    lines: list[GuestLine] = Field(max_length=25)


class CheckoutRequest(BaseModel):
    coupon_code: str | None = Field(default=None, pattern=r"^[A-Z0-9]{4,16}$")
    shipping_address_id: str = Field(pattern=r"^adr_[0-9a-f]{12}$")


class ExpressOrder(BaseModel):
    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(gt=0, le=5)
    unit_price_cents: int = Field(ge=0)
    currency: str = "EUR"
    shipping_address_id: str = Field(pattern=r"^adr_[0-9a-f]{12}$")


class OrderLine(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int


class OrderOut(BaseModel):
    order_id: str
    status: OrderStatus
    lines: list[OrderLine]
    total_cents: int
    discount_cents: int = 0
    created_at: str


class OrderSummary(BaseModel):
    order_id: str
    status: OrderStatus | None = None
    total_cents: int | None = None
    created_at: str | None = None


class ReturnRequest(BaseModel):
    reason: str = Field(max_length=500)


class RefundRequest(BaseModel):
    amount_cents: int = Field(gt=0)
    note: str = Field(default="", max_length=500)


class ShipmentIn(BaseModel):
    carrier: Literal["dhl", "ups", "postnl"]
    tracking_number: str = Field(pattern=r"^[A-Z0-9]{8,30}$")


class PaymentEvent(BaseModel):
    order_id: str = Field(pattern=ORDER_ID_PATTERN)
    outcome: Literal["succeeded", "failed"]
    amount_cents: int


def to_cents(value: Decimal | int) -> int:
    return int(value)
