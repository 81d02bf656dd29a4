from datetime import datetime
from typing import List, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, Field
from typing_extensions import Annotated

ORDER_ID_PATTERN = r"^[0-9a-f]{32}$"
LABEL_PATTERN = r"^[a-z0-9-]{1,32}$"

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN)]
AddressLabel = Annotated[str, Path(pattern=LABEL_PATTERN)]
UserId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]

OrderStatus = Literal["PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"]
Tier = Literal["free", "pro", "business"]


class ProfileIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=60)
    marketing_opt_in: bool = False


class ProfileUpdate(BaseModel):
    display_name: Optional[str] = Field(None, min_length=1, max_length=60)
    marketing_opt_in: Optional[bool] = None
    tier: Optional[Tier] = None


class ProfileOut(BaseModel):
    display_name: str
    email: str = ""
    tier: Tier
    marketing_opt_in: bool = False
    created_at: datetime


class AddressIn(BaseModel):
    label: str = Field(pattern=LABEL_PATTERN)
    line1: str = Field(max_length=120)
    line2: str = Field("", max_length=120)
    city: str = Field(max_length=60)
    postcode: str = Field(max_length=12)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class AddressOut(BaseModel):
    label: str
    line1: Optional[str] = None
    line2: Optional[str] = None
    city: Optional[str] = None
    postcode: Optional[str] = None
    country: Optional[str] = None


class OrderLine(BaseModel):
    sku: str = Field(pattern=r"^[A-Z0-9-]{3,24}$")
    quantity: int = Field(gt=0, le=99)
    unit_price_cents: int = Field(gt=0)


class OrderIn(BaseModel):
    lines: List[OrderLine] = Field(min_length=1, max_length=50)
    external_ref: Optional[str] = Field(None, max_length=40)
    address_label: str = Field(pattern=LABEL_PATTERN)


class OrderOut(BaseModel):
    order_id: str
    status: OrderStatus
    total_cents: int
    lines: List[OrderLine]
    external_ref: Optional[str] = None
    notes: str = ""
    created_at: datetime


class OrderPage(BaseModel):
    items: List[OrderOut]
    next_cursor: Optional[str] = None


class InvoiceOut(BaseModel):
    order_id: str
    total_cents: int
    discount_percent: int = 0
    paid_at: Optional[datetime] = None


class ShippingChange(BaseModel):
    order_id: str = Field(pattern=ORDER_ID_PATTERN)
    address_label: str = Field(pattern=LABEL_PATTERN)


class CouponIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9]{4,16}$")


class NotesIn(BaseModel):
    notes: str = Field(max_length=1000)


class FeedbackIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


class TierIn(BaseModel):
    tier: Tier
