from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

Amount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Currency = Literal["EUR", "USD", "GBP"]
PaymentStatus = Literal[
    "authorized", "captured", "canceled", "partially_refunded", "refunded", "disputed"
]
EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
MERCHANT_ID = r"^mch_[A-Za-z0-9]{16}$"


class PaymentCreate(BaseModel):
    amount: Amount
    currency: Currency
    description: str | None = Field(default=None, max_length=255)
    customer_email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    capture: bool = False
    metadata: dict[str, str] = Field(default_factory=dict, max_length=20)


class PaymentOut(BaseModel):
    payment_id: str
    merchant_id: str
    amount: Decimal
    currency: str
    status: str
    refunded_amount: Decimal = Decimal("0")
    description: str | None = None
    customer_email: str | None = None
    metadata: dict[str, str] = {}
    risk_score: int | None = None
    created_at: str
    version: int


class PaymentPage(BaseModel):
    payments: list[PaymentOut]
    next_cursor: str | None = None


class MetadataUpdate(BaseModel):
    payment_id: UUID
    metadata: dict[str, str] = Field(max_length=20)


class RefundCreate(BaseModel):
    amount: Amount
    reason: Literal["requested_by_customer", "duplicate", "fraudulent"] = "requested_by_customer"


class RefundOut(BaseModel):
    refund_id: str
    payment_id: str
    amount: Decimal
    currency: str
    reason: str
    status: str
    created_at: str


class MerchantUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    statement_descriptor: str | None = Field(default=None, max_length=22)
    webhook_url: str | None = Field(default=None, max_length=2048, pattern=r"^https://")
    payout_schedule: Literal["daily", "weekly", "monthly"] | None = None
    fee_bps: int | None = Field(default=None, ge=0, le=1000)


class MerchantOut(BaseModel):
    merchant_id: str
    name: str
    statement_descriptor: str | None = None
    webhook_url: str | None = None
    payout_schedule: str = "weekly"
    fee_bps: int


class FeeUpdate(BaseModel):
    fee_bps: int = Field(ge=0, le=1000)


class StatusOverride(BaseModel):
    status: PaymentStatus
    note: str = Field(min_length=3, max_length=500)


class BalanceOut(BaseModel):
    merchant_id: str
    currency: str
    available: Decimal
    pending: Decimal


class CustomerPayment(BaseModel):
    payment_id: str
    merchant_id: str
    amount: Decimal
    currency: str
    status: str
    created_at: str
