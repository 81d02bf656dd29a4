from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

ResourceId = Annotated[str, Field(pattern=r"^(room|desk)-[a-z0-9-]{1,40}$")]
AccountId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{6,64}$")]


class BookingIn(BaseModel):
    resource_id: ResourceId
    starts_at: datetime
    ends_at: datetime
    notes: str | None = Field(None, max_length=500)


class BookingOut(BaseModel):
    booking_id: str
    resource_id: str
    starts_at: datetime
    ends_at: datetime
    status: str
    version: int
    notes: str | None = None


class Reschedule(BaseModel):
    starts_at: datetime
    ends_at: datetime
    version: int = Field(ge=1)


class Extension(BaseModel):
    minutes: int = Field(gt=0, le=240)


class ProfileUpdate(BaseModel):
    display_name: str | None = Field(None, max_length=80)
    time_zone: str | None = Field(None, max_length=64)
    plan: str | None = None


class CreditTransfer(BaseModel):
    to_account_id: AccountId
    amount: int = Field(gt=0, le=10_000)


class ResourceOut(BaseModel):
    resource_id: str
    site: str
    capacity: int
    title: str
