from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
WAREHOUSE_PATTERN = r"^[A-Z]{3}[0-9]{1,3}$"

Sku = Annotated[str, Path(pattern=SKU_PATTERN)]
WarehouseCode = Annotated[str, Path(pattern=WAREHOUSE_PATTERN)]


class Product(BaseModel):
    sku: Annotated[str, Field(pattern=SKU_PATTERN)]
    name: str = Field(min_length=1, max_length=120)
    category: str = Field(max_length=40)
    price: Decimal = Field(gt=0)
    currency: Literal["EUR", "USD", "GBP"] = "EUR"


class Warehouse(BaseModel):
    code: Annotated[str, Field(pattern=WAREHOUSE_PATTERN)]
    name: str = Field(max_length=80)
    manager_email: str | None = None


class StockLevel(BaseModel):
    warehouse: str
    sku: str
    quantity: int = Field(ge=0)
    reorder_point: int = Field(0, ge=0)
    updated_at: datetime | None = None


class StockTransfer(BaseModel):
    sku: Annotated[str, Field(pattern=SKU_PATTERN)]
    from_warehouse: Annotated[str, Field(pattern=WAREHOUSE_PATTERN)]
    to_warehouse: Annotated[str, Field(pattern=WAREHOUSE_PATTERN)]
    quantity: int = Field(gt=0)


class CycleCount(BaseModel):
    warehouse: Annotated[str, Field(pattern=WAREHOUSE_PATTERN)]
    sku: Annotated[str, Field(pattern=SKU_PATTERN)]
    counted: int = Field(ge=0)
    counted_by: str = Field(max_length=80)


class ApiKey(BaseModel):
    key_hash: str
    key_id: str
    tenant_id: str
    role: str = "member"
    enabled: bool = True
