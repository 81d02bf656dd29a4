from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, Field

ProjectId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)


class ProjectPatch(BaseModel):
    name: Optional[str] = Field(default=None, min_length=1, max_length=120)
    description: Optional[str] = Field(default=None, max_length=2000)


class ProjectOut(BaseModel):
    project_id: str
    name: str
    description: str = ""
    status: str = "active"
    created_by: str
    created_at: datetime
    version: int
    member_count: int = 0


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    next: Optional[str] = None


class MemberAdd(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "editor"] = "viewer"


class TaskCreate(BaseModel):
    project_id: str
    title: str = Field(min_length=1, max_length=200)
    assignee: Optional[str] = None
    private: bool = False


class TaskOut(BaseModel):
    task_id: str
    project_id: str
    title: str
    status: str
    assignee: Optional[str] = None
    private: bool = False


class ActivityOut(BaseModel):
    at: datetime
    actor: str
    action: str


class UserSettings(BaseModel):
    # `role` mirrors the tenant role the auth service puts in the token's `role` claim
    # (it reads it from this item when it mints tokens); shown read-only in the UI.
    display_name: str = Field(max_length=80)
    theme: Literal["light", "dark", "system"] = "system"
    locale: str = Field(default="en", max_length=10)
    role: str = "member"
