from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

AGGREGATE_RE = r"^[a-z][a-z0-9-]{2,63}$"

AggregateId = Annotated[str, StringConstraints(pattern=AGGREGATE_RE)]
AggregatePath = Annotated[str, Path(pattern=AGGREGATE_RE)]
AggregateType = Literal["cart", "order", "shipment", "subscription"]
EventType = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]{2,47}$")]


class NewEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType
    data: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Annotated[str, StringConstraints(max_length=256)]] = Field(
        default_factory=dict
    )


class StreamCreate(BaseModel):
    aggregate_id: AggregateId
    aggregate_type: AggregateType


class AppendRequest(BaseModel):
    expected_version: int = Field(ge=0)
    events: list[NewEvent] = Field(min_length=1, max_length=25)


class LegacyAppend(BaseModel):
    type: EventType
    data: dict[str, Any] = Field(default_factory=dict)


class AppendResult(BaseModel):
    aggregate_id: str
    version: int
    first_seq: int


class StoredEvent(BaseModel):
    seq: int
    type: str
    data: dict[str, Any] = Field(default_factory=dict)
    recorded_at: str


class EventPage(BaseModel):
    events: list[StoredEvent]
    next_after: Optional[int] = None


class StreamOut(BaseModel):
    aggregate_id: str
    aggregate_type: str
    version: int
    status: str
    created_at: str


class SnapshotIn(BaseModel):
    aggregate_id: AggregateId
    version: int = Field(ge=1)
    state: dict[str, Any]


class SnapshotOut(BaseModel):
    aggregate_id: str
    version: int
    state: dict[str, Any]
    taken_at: str


class ProjectionOut(BaseModel):
    aggregate_id: str
    aggregate_type: str
    last_seq: int
    event_count: int
    last_event_type: Optional[str] = None
    updated_at: str


class KeyCreate(BaseModel):
    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    scopes: list[str] = Field(default_factory=lambda: ["streams:read"])


class KeyCreated(BaseModel):
    key: str
    key_hash: str
    label: str
    scopes: list[str]


class KeyOut(BaseModel):
    key_hash: str
    label: str
    scopes: list[str]
    created_at: str
    revoked: bool = False
