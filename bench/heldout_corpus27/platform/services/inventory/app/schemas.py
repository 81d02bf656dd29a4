from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Path
from pydantic import Field

from libs.common.models import Count, RequestModel, ResponseModel

SKU_PATTERN = r"^[A-Z0-9]{3,12}(-[A-Z0-9]{2,8}){0,3}$"

Sku = Annotated[str, Path(pattern=SKU_PATTERN, description="stock keeping unit")]
Warehouse = Literal["AMS1", "FRA2", "DUB1", "MAD1"]


class ItemCreate(RequestModel):
    sku: str = Field(pattern=SKU_PATTERN)
    title: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=2, max_length=40)
    description: str = ""
    available: Count = 0


class ItemPatch(RequestModel):
    title: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = None
    category: str | None = Field(default=None, min_length=2, max_length=40)


class StockLevel(RequestModel):
    available: Count


class StatusChange(RequestModel):
    status: Literal["active", "discontinued", "recalled"]
    reason: str = Field(default="", max_length=200)


class ItemOut(ResponseModel):
    sku: str
    title: str
    category: str
    description: str = ""
    available: int = 0
    status: str = "active"


class ItemSummary(ResponseModel):
    sku: str | None = None
    title: str | None = None
    category: str | None = None
    available: int | None = None
    status: str | None = None


class AvailabilityOut(ResponseModel):
    sku: str
    available: int
    held: int
    locked_by: str | None = None


class LockOut(ResponseModel):
    resource: str
    lock_owner: str
    lock_until: int


class ReservationCreate(RequestModel):
    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(gt=0, le=500)
    warehouse: Warehouse
    note: str = Field(default="", max_length=200)


class ReservationPatch(RequestModel):
    note: str | None = Field(default=None, max_length=200)
    expires_at: datetime | None = None


class ReservationOut(ResponseModel):
    reservation_id: UUID
    sku: str
    quantity: int
    warehouse: str
    status: str
    note: str = ""
    created_at: str
    expires_at: int
