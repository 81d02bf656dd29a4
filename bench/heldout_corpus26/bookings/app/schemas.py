from datetime import date, datetime
from typing import List, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, Field, conint, constr
from typing_extensions import Annotated

RESOURCE_PATTERN = r"^res_[a-z0-9]{8,24}$"

ResourceId = Annotated[str, Path(pattern=RESOURCE_PATTERN)]
ResourceRef = constr(pattern=RESOURCE_PATTERN)


class ResourceOut(BaseModel):
    resource_id: str
    name: str
    capacity: int
    location: Optional[str] = None


class ResourceUpdate(BaseModel):
    name: constr(min_length=1, max_length=80)
    capacity: conint(ge=1, le=500)
    location: Optional[constr(max_length=120)] = None


class SlotPublic(BaseModel):
    slot_start: str
    status: str


class BookingOut(BaseModel):
    resource_id: str
    slot_start: str
    slot_end: str
    status: str
    notes: Optional[str] = None
    attendees: List[str] = []


class SlotAdminOut(BookingOut):
    user_id: str
    hold_expires_at: Optional[int] = None


class HoldRequest(BaseModel):
    slot_start: datetime


class RecurringRequest(BaseModel):
    resource_id: ResourceRef
    first_start: datetime
    weeks: conint(ge=1, le=12) = 4
    notes: Optional[constr(max_length=500)] = None


class BookingUpdate(BaseModel):
    notes: Optional[constr(max_length=500)] = None
    attendees: Optional[List[constr(max_length=254)]] = Field(None, max_length=20)
    hold_expires_at: Optional[int] = None


class TransferRequest(BaseModel):
    to_user_id: constr(pattern=r"^[A-Za-z0-9_-]{6,64}$")


class SlotRef(BaseModel):
    resource_id: ResourceRef
    slot_start: datetime


class MoveRequest(BaseModel):
    source: SlotRef
    target: SlotRef


class StatusChange(BaseModel):
    status: Literal["held", "confirmed", "cancelled", "blocked"]
    reason: Optional[constr(max_length=200)] = None


class WaitlistJoin(BaseModel):
    email: constr(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    day: date
