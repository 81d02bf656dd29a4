import uuid
from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class TeamCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=1000)
    visibility: Literal["private", "public"] = "private"


class TeamUpdate(BaseModel):
    name: Optional[str] = Field(None, min_length=1, max_length=80)
    description: Optional[str] = Field(None, max_length=1000)
    visibility: Optional[Literal["private", "public"]] = None
    plan: Optional[Literal["free", "pro", "business"]] = None
    version: int


class TeamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    team_id: uuid.UUID
    name: str
    description: str = ""
    visibility: str
    owner_id: uuid.UUID
    plan: str
    seat_limit: int
    member_count: int
    status: str
    version: int
    created_at: datetime


class TeamPublic(BaseModel):
    team_id: uuid.UUID
    name: str
    description: str = ""
    member_count: int


class PlanIn(BaseModel):
    plan: Literal["free", "pro", "business"]
    seat_limit: int = Field(gt=0, le=10_000)


class InviteCreate(BaseModel):
    email: EmailStr
    role: Literal["member", "admin"] = "member"


class InviteRead(BaseModel):
    token: str
    team_id: uuid.UUID
    email: EmailStr
    role: str
    status: str
    expires_at: datetime


class MemberRoleIn(BaseModel):
    user_id: uuid.UUID
    role: Literal["member", "admin"]


class OwnershipTransferIn(BaseModel):
    new_owner_id: uuid.UUID
