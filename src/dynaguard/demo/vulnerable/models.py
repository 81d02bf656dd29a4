"""Request and response models of the vulnerable app."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ProfileReplace(BaseModel):
    """PUT /users/me: the editable profile."""

    display_name: str
    email: str


class ProfileUpdate(BaseModel):
    """PATCH /users/me: partial update -- exposes `role`, a server-controlled field."""

    display_name: str | None = None
    email: str | None = None
    role: Literal["member", "admin"] | None = None


class ProjectCreate(BaseModel):
    """POST /projects."""

    name: str
    description: str = ""


class ProjectUpdate(BaseModel):
    """PUT /projects/{project_id}: carries its own project_id (the tampering plant)."""

    project_id: str
    name: str
    description: str = ""


class ProjectOut(BaseModel):
    """A project as returned to clients."""

    project_id: str
    owner_id: str
    name: str
    description: str = ""


class Transfer(BaseModel):
    """POST /projects/{project_id}/transfer."""

    new_owner: str


class NoteCreate(BaseModel):
    """POST /notes."""

    title: str
    body: str = ""


class NoteUpdate(BaseModel):
    """PUT /notes/{note_id}."""

    title: str
    body: str = ""


class NoteOut(BaseModel):
    """A note as returned to clients."""

    note_id: str
    owner_id: str
    title: str
    body: str = ""
    pinned: bool = False
    status: str = "active"
    attachment_count: int = 0


class AttachmentCreate(BaseModel):
    """POST /notes/{note_id}/attachments."""

    filename: str
    size: int = 0


class AttachmentOut(BaseModel):
    """An attachment as returned to clients."""

    attachment_id: str
    note_id: str
    owner_id: str
    filename: str
    size: int = 0
