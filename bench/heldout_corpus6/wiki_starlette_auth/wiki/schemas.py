from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

SLUG_RE = r"^[a-z0-9][a-z0-9-]{1,62}$"
Slug = Annotated[str, Path(pattern=SLUG_RE)]


class SpaceIn(BaseModel):
    slug: str = Field(pattern=SLUG_RE)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)


class SpacePatch(BaseModel):
    title: str | None = Field(default=None, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    plan: str | None = None


class SpaceOut(BaseModel):
    slug: str
    title: str
    description: str = ""
    owner_sub: str
    plan: str
    state: str


class MemberIn(BaseModel):
    sub: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")


class PlanIn(BaseModel):
    plan: str = Field(pattern=r"^(free|team|enterprise)$")


class PageIn(BaseModel):
    page_slug: str = Field(pattern=SLUG_RE)
    title: str = Field(max_length=200)
    content: str = Field(max_length=200_000)


class PageUpdate(BaseModel):
    title: str = Field(max_length=200)
    content: str = Field(max_length=200_000)
    version: int


class RenameIn(BaseModel):
    new_slug: str = Field(pattern=SLUG_RE)


class PageSummary(BaseModel):
    space_slug: str
    page_slug: str
    title: str
    version: int


class PageOut(PageSummary):
    content: str
    author_sub: str


class RevisionOut(BaseModel):
    revision: int
    title: str
    edited_by: str
    edited_at: str


class ShareIn(BaseModel):
    space_slug: str = Field(pattern=SLUG_RE)
    page_slug: str = Field(pattern=SLUG_RE)
    expires_in_days: int = Field(default=7, ge=1, le=90)
