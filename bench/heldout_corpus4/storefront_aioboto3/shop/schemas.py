from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{3,40}$")]
Sku = Annotated[str, Path(pattern=r"^[A-Z0-9-]{4,24}$")]
OrderId = Annotated[str, Path(pattern=r"^ord_[0-9a-f]{24}$")]


class ProductIn(BaseModel):
    sku: str = Field(pattern=r"^[A-Z0-9-]{4,24}$")
    title: str = Field(max_length=140)
    blurb: str | None = Field(default=None, max_length=1000)
    price: Decimal = Field(ge=0, decimal_places=2)
    stock: int = Field(ge=0)
    published: bool = False


class ProductPatch(BaseModel):
    title: str | None = Field(default=None, max_length=140)
    blurb: str | None = Field(default=None, max_length=1000)
    published: bool | None = None
    version: int


class PriceIn(BaseModel):
    price: Decimal = Field(ge=0, decimal_places=2)
    version: int


class RenameIn(BaseModel):
    new_sku: str = Field(pattern=r"^[A-Z0-9-]{4,24}$")


class ProductOut(BaseModel):
    sku: str
    title: str
    blurb: str | None = None
    price: Decimal
    stock: int
    published: bool
    version: int


class ShopPatch(BaseModel):
    display_name: str = Field(max_length=80)
    tagline: str | None = Field(default=None, max_length=200)
    plan: Literal["starter", "pro", "enterprise"] = "starter"


class ShopOut(BaseModel):
    slug: str
    display_name: str
    tagline: str | None = None
    plan: str


class OrderOut(BaseModel):
    order_id: str
    shop_slug: str
    status: str
    lines: list[dict]
    total: Decimal


class CancelIn(BaseModel):
    reason: str = Field(max_length=300)


class RefundIn(BaseModel):
    sku: str = Field(pattern=r"^[A-Z0-9-]{4,24}$")
    quantity: int = Field(gt=0, le=1000)


class AdjustIn(BaseModel):
    delta: int = Field(ge=-10000, le=10000)
