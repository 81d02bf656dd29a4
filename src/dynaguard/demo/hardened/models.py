"""Request and response models of the hardened app: inputs forbid extras, outputs are explicit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dynaguard.guard.models import InputModel

Short = Field(min_length=1, max_length=200)


class ProfileReplace(InputModel):
    """PUT /users/me."""

    display_name: str = Short
    email: str = Short


class ProfileUpdate(InputModel):
    """PATCH /users/me: no role here, and extra="forbid" turns one into a 422."""

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, min_length=1, max_length=200)


class ProfileOut(BaseModel):
    """The public profile."""

    username: str
    display_name: str
    email: str
    role: str


class ProjectCreate(InputModel):
    """POST /projects."""

    name: str = Short
    description: str = Field(default="", max_length=2000)


class ProjectUpdate(ProjectCreate):
    """PUT /projects/{project_id}: the id is the path's alone."""


class ProjectOut(BaseModel):
    """A project as returned to clients."""

    project_id: str
    owner_id: str
    name: str
    description: str = ""


class Transfer(InputModel):
    """POST /projects/{project_id}/transfer: to a known user."""

    new_owner: Literal["alice", "bob", "admin"]


class NoteCreate(InputModel):
    """POST /notes."""

    title: str = Short
    body: str = Field(default="", max_length=10000)


class NoteUpdate(NoteCreate):
    """PUT /notes/{note_id}."""


class NoteOut(BaseModel):
    """A note as returned to clients."""

    note_id: str
    owner_id: str
    title: str
    body: str = ""
    pinned: bool = False
    status: str = "active"
    attachment_count: int = 0


class AttachmentCreate(InputModel):
    """POST /notes/{note_id}/attachments."""

    filename: str = Short
    size: int = Field(default=0, ge=0, le=10**10)


class AttachmentOut(BaseModel):
    """An attachment as returned to clients."""

    attachment_id: str
    note_id: str
    owner_id: str
    filename: str
    size: int = 0
