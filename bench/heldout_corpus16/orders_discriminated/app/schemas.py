from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from fastapi import Path
from pydantic import BaseModel, ConfigDict, EmailStr, Field

ORDER_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID
OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN)]


class CardPayment(BaseModel):
    kind: Literal["card"]
    payment_method_id: str = Field(pattern=r"^pm_[A-Za-z0-9]{8,40}$")


class InvoicePayment(BaseModel):
    kind: Literal["invoice"]
    po_number: str = Field(max_length=40)
    billing_email: EmailStr
    net_days: Literal[15, 30, 60] = 30


Payment = Annotated[Union[CardPayment, InvoicePayment], Field(discriminator="kind")]


class LineIn(BaseModel):
    sku: str = Field(pattern=r"^[A-Z0-9-]{3,24}$")
    quantity: int = Field(ge=1, le=99)


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineIn] = Field(min_length=1, max_length=40)
    payment: Payment


class PaymentUpdate(BaseModel):
    payment: Payment


class Address(BaseModel):
    line1: str = Field(max_length=120)
    line2: Optional[str] = Field(default=None, max_length=120)
    city: str = Field(max_length=80)
    postcode: str = Field(max_length=16)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class ShippingAddressIn(Address):
    order_id: str = Field(pattern=ORDER_ID_PATTERN)


class MergeIn(BaseModel):
    source_order_id: str = Field(pattern=ORDER_ID_PATTERN)
    target_order_id: str = Field(pattern=ORDER_ID_PATTERN)


class TrackingIn(BaseModel):
    carrier: Literal["ups", "dhl", "fedex", "usps"]
    tracking_number: str = Field(max_length=40)


class RefundIn(BaseModel):
    amount_cents: int = Field(gt=0)
    reason: str = Field(max_length=200)


class LineOut(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int


class OrderSummary(BaseModel):
    order_id: Optional[str] = None
    status: Optional[str] = None
    total_cents: Optional[int] = None
    created_at: Optional[str] = None


class OrderOut(BaseModel):
    order_id: str
    status: str
    total_cents: int
    created_at: str
    lines: list[LineOut]


class ReceiptOut(BaseModel):
    order_id: str
    total_cents: int
    paid_at: str
    payment_intent: str
