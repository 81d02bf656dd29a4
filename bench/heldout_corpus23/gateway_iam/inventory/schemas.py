from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Path
from pydantic import BaseModel, Field

AssetStatus = Literal["in_service", "maintenance", "retired"]
TenantId = Annotated[str, Path(pattern=r"^t-[a-z0-9]{8,20}$")]


class AssetCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    type_code: str = Field(max_length=40)
    serial_number: str | None = Field(default=None, max_length=80)
    location: str | None = Field(default=None, max_length=120)
    owner_team: str | None = Field(default=None, max_length=80)
    tenant_id: str | None = Field(default=None, max_length=40)


class AssetPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    owner_team: str | None = Field(default=None, max_length=80)
    serial_number: str | None = Field(default=None, max_length=80)
    version: int = Field(ge=1)


class AssetMove(BaseModel):
    location: str = Field(min_length=1, max_length=120)


class StatusChange(BaseModel):
    status: AssetStatus


class TransferRequest(BaseModel):
    target_tenant_id: str = Field(pattern=r"^t-[a-z0-9]{8,20}$")


class ScanReport(BaseModel):
    location: str = Field(min_length=1, max_length=120)
    scanner: str | None = Field(default=None, max_length=60)


class AssetOut(BaseModel):
    asset_id: UUID
    name: str
    type_code: str
    status: AssetStatus
    location: str | None = None
    owner_team: str | None = None
    serial_number: str | None = None
    version: int
    created_at: datetime


class AssetPage(BaseModel):
    items: list[AssetOut]
    next_cursor: str | None = None


class AuditEventOut(BaseModel):
    event_key: str
    event: str
    changed: list[str]
    before: dict
    after: dict


class AssetTypeOut(BaseModel):
    type_code: str
    label: str


class TenantOut(BaseModel):
    tenant_id: str
    name: str
    plan: str
    asset_count: int = 0
