from decimal import Decimal
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class ListingCreate(BaseModel):
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=4000)
    price: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    reserve_price: Optional[Decimal] = Field(default=None, gt=0, max_digits=10, decimal_places=2)


class ListingPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Optional[str] = Field(default=None, min_length=3, max_length=120)
    description: Optional[str] = Field(default=None, max_length=4000)
    price: Optional[Decimal] = Field(default=None, gt=0, max_digits=10, decimal_places=2)
    featured: Optional[bool] = None


class FeatureIn(BaseModel):
    featured: bool


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    listing_id: str
    seller_id: str
    title: str
    description: str
    price: Decimal
    status: str
    featured: bool


class OfferCreate(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    message: str = Field(default="", max_length=500)


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    offer_id: str
    listing_id: str
    buyer_id: str
    amount: Decimal
    message: str
    status: str
    created_at: str


class ReviewIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=2000)


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seller_id: str
    reviewer_id: str
    rating: int
    text: str
    created_at: str


class SaleOut(BaseModel):
    sale_id: str
    listing_id: str
    buyer_id: str
    amount: Decimal
    created_at: str
