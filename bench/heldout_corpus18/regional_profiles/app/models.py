from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Literal, Optional

from pydantic import BaseModel, EmailStr, Field

ProfileId = Field(..., pattern=r"^[0-9a-f]{32}$")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class Profile:
    tenant_id: str
    profile_id: str
    email: str
    display_name: str
    locale: str = "en"
    plan: str = "free"
    status: str = "active"
    avatar_count: int = 0
    created_at: str = field(default_factory=utcnow)
    updated_at: str = field(default_factory=utcnow)

    def to_item(self) -> dict:
        return asdict(self)


@dataclass
class AvatarMeta:
    avatar_id: str
    tenant_id: str
    profile_id: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: str = field(default_factory=utcnow)


class ProfileIn(BaseModel):
    email: EmailStr
    display_name: str = Field(..., max_length=80)
    locale: str = Field("en", max_length=10)


class ProfileUpdate(BaseModel):
    display_name: Optional[str] = Field(None, max_length=80)
    locale: Optional[str] = Field(None, max_length=10)
    plan: Optional[str] = Field(None, max_length=20)


class PreferencesIn(BaseModel):
    theme: Literal["light", "dark", "system"] = "system"
    newsletter: bool = False
    timezone: str = Field("UTC", max_length=40)


class ContactIn(BaseModel):
    profile_id: str = Field(..., max_length=64)
    phone: Optional[str] = Field(None, max_length=32)
    address: Optional[str] = Field(None, max_length=300)


class SessionIn(BaseModel):
    device: str = Field(..., max_length=100)
    expires_at: int  # epoch seconds, the sessions table's TTL attribute


class StatusIn(BaseModel):
    status: Literal["active", "suspended", "closed"]


class AdoptIn(BaseModel):
    avatar_id: str = Field(..., max_length=64)


class PlanChange(BaseModel):
    expected_plan: str = Field(..., max_length=20)
    plan: Literal["free", "pro", "enterprise"]


class ProfileOut(BaseModel):
    tenant_id: str
    profile_id: str
    email: str
    display_name: str
    locale: str
    plan: str
    status: str
    avatar_count: int = 0
    avatar_id: Optional[str] = None
