import base64
import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import HTTPException, Path
from pydantic import BaseModel, Field

SLUG = r"^[a-z0-9][a-z0-9-]{2,47}$"
EventId = Annotated[str, Path(pattern=SLUG)]
AttendeeSub = Annotated[str, Path(max_length=64)]


class EventIn(BaseModel):
    event_id: str = Field(pattern=SLUG)
    title: str = Field(max_length=200)
    starts_at: datetime
    capacity: int = Field(gt=0, le=5000)


class EventPatch(BaseModel):
    title: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    capacity: int | None = Field(None, gt=0, le=5000)


class EventOut(BaseModel):
    event_id: str
    title: str
    starts_at: datetime
    capacity: int
    seats_taken: int = 0
    status: str


class EventDetail(EventOut):
    attendees: int
    registered: bool


class EventPage(BaseModel):
    items: list[EventOut]
    cursor: str | None = None


class RegistrationPatch(BaseModel):
    display_name: str | None = Field(None, max_length=80)
    dietary: str | None = Field(None, max_length=200)
    tier: Literal["general", "vip"] | None = None


class RegistrationOut(BaseModel):
    event_id: str
    attendee_sub: str
    status: str
    tier: str = "general"
    display_name: str | None = None


class WaitlistIn(BaseModel):
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


def encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, default=lambda v: int(v) if isinstance(v, Decimal) else str(v))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="bad cursor") from exc
