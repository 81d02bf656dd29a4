from typing import Annotated, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, Field, StringConstraints

DeviceIdStr = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{4,64}$")]
OrgIdPath = Annotated[str, Path(pattern=r"^[a-z0-9-]{3,40}$")]
DeviceIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{4,64}$")]


class OrgCreate(BaseModel):
    org_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{3,40}$")]
    display_name: str = Field(max_length=120)


class OrgOut(BaseModel):
    org_id: str
    display_name: str
    created_at: str


class MemberIn(BaseModel):
    user_id: Annotated[str, StringConstraints(max_length=64)]
    email: str = Field(max_length=254)
    role: Literal["admin", "member"] = "member"


class MemberOut(BaseModel):
    user_id: str
    email: str
    role: str


class DeviceCreate(BaseModel):
    device_id: DeviceIdStr
    name: str = Field(max_length=80)
    model: str = Field(max_length=40)


class DeviceRegistered(BaseModel):
    device_id: str
    name: str
    device_key: str


class DeviceOut(BaseModel):
    device_id: str
    org_id: str
    name: str
    model: str
    status: str
    firmware_channel: str = "stable"
    last_seen: Optional[int] = None


class DevicePage(BaseModel):
    items: list[DeviceOut]
    next_token: Optional[str] = None


class FirmwarePatch(BaseModel):
    firmware_channel: Optional[Literal["stable", "beta", "nightly"]] = None
    pinned_version: Optional[str] = Field(default=None, max_length=32)
    auto_update: Optional[bool] = None


class TagsPatch(BaseModel):
    tags: dict[str, str]


class RenameIn(BaseModel):
    name: str = Field(max_length=80)


class DeviceLookup(BaseModel):
    device_ids: list[DeviceIdStr] = Field(max_length=100)


class TelemetryIn(BaseModel):
    ts: int
    metrics: dict[str, float]
    status: Optional[str] = None
