from datetime import datetime
from typing import Literal, Optional
from uuid import UUID

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import Annotated

SKU_PATTERN = r"^[A-Z0-9]{3,8}-[A-Z0-9]{2,12}$"

Sku = Annotated[str, Path(pattern=SKU_PATTERN, examples=["BOLT-M8X40"])]
SkuField = Annotated[str, Field(pattern=SKU_PATTERN)]
AdminEmail = Annotated[str, Path(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]

Category = Literal["fasteners", "tools", "electrical", "plumbing", "misc"]
OrderStatus = Literal["draft", "submitted", "received", "cancelled"]


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    title: str
    description: str
    category: str
    price_cents: int
    quantity: int
    status: str


class ProductCreate(BaseModel):
    sku: SkuField
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    category: Category = "misc"
    price_cents: int = Field(gt=0)
    quantity: int = Field(0, ge=0)


class PriceUpdate(BaseModel):
    price_cents: int = Field(gt=0)


class StockAdjustment(BaseModel):
    delta: int = Field(ge=-100_000, le=100_000)
    reason: Literal["receipt", "count", "damage", "return"]


class OrderBase(BaseModel):
    sku: SkuField
    quantity: int = Field(gt=0, le=10_000)
    note: str = Field("", max_length=500)
    status: OrderStatus = "draft"


class OrderCreate(OrderBase):
    pass


class OrderOut(OrderBase):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    owner_email: str
    unit_price_cents: Optional[int] = None
    created_at: datetime


class OrderPatch(BaseModel):
    quantity: Optional[int] = Field(None, gt=0, le=10_000)
    note: Optional[str] = Field(None, max_length=500)


class MergeIn(BaseModel):
    source_order_id: UUID


class AccountCreate(BaseModel):
    display_name: str = Field(min_length=1, max_length=80)
    company: str = Field("", max_length=120)


class AccountUpdate(BaseModel):
    display_name: Optional[str] = Field(None, min_length=1, max_length=80)
    company: Optional[str] = Field(None, max_length=120)
    credit_limit_cents: Optional[int] = Field(None, ge=0)


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email: str
    display_name: str
    company: str
    credit_limit_cents: int
    created_at: datetime


class CreditLimitIn(BaseModel):
    credit_limit_cents: int = Field(ge=0, le=50_000_000)


class WatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    added_at: datetime
