"""Pydantic (v1) schemas for the generic CRUD routers and the hand-written routes."""
from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel, HttpUrl, constr, validator


class ORMModel(BaseModel):
    class Config:
        orm_mode = True


# -- projects ---------------------------------------------------------------

class ProjectCreate(BaseModel):
    name: constr(min_length=1, max_length=120)
    description: str = ""


class ProjectUpdate(BaseModel):
    name: Optional[constr(min_length=1, max_length=120)]
    description: Optional[str]
    version: int


class ProjectOut(ORMModel):
    id: str
    name: str
    description: str = ""
    owner_id: str
    status: str = "active"
    version: int = 1
    created_at: datetime


# -- bookmarks --------------------------------------------------------------

class BookmarkCreate(BaseModel):
    url: HttpUrl
    title: str
    tags: List[str] = []

    @validator("tags", each_item=True)
    def tag_is_slug(cls, v):
        if not v.replace("-", "").isalnum():
            raise ValueError("tags are letters, digits and dashes")
        return v.lower()


class BookmarkUpdate(BaseModel):
    title: Optional[str]
    tags: Optional[List[str]]
    click_count: Optional[int]
    version: int


class BookmarkOut(ORMModel):
    id: str
    url: str
    title: str
    tags: List[str] = []
    owner_id: str
    click_count: int = 0
    version: int = 1
    created_at: datetime


# -- webhooks ---------------------------------------------------------------

class WebhookCreate(BaseModel):
    target_url: HttpUrl
    events: List[str]
    secret: constr(min_length=16, max_length=128)

    @validator("events")
    def known_events(cls, v):
        allowed = {"project.created", "project.archived", "bookmark.created"}
        unknown = set(v) - allowed
        if unknown:
            raise ValueError(f"unknown events: {sorted(unknown)}")
        return v


class WebhookUpdate(BaseModel):
    target_url: Optional[HttpUrl]
    events: Optional[List[str]]
    version: int


class WebhookOut(ORMModel):
    id: str
    target_url: str
    events: List[str]
    version: int = 1
    created_at: datetime


# -- hand-written routes ----------------------------------------------------

class ProfilePatch(BaseModel):
    name: Optional[constr(max_length=80)]
    bio: Optional[constr(max_length=500)]


class PlanIn(BaseModel):
    plan: constr(regex=r"^(free|team|enterprise)$")


class TransferIn(BaseModel):
    new_owner_id: constr(min_length=36, max_length=36)


class ProjectImport(BaseModel):
    id: str
    name: str
    description: str = ""
    owner_id: str
    created_at: datetime


class TemplateOut(ORMModel):
    id: str
    name: str
    description: str = ""
