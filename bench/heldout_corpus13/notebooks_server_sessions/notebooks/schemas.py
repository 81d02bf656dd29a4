from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

NotebookId = Annotated[str, Path(pattern=r"^nb_[A-Za-z0-9_-]{22}$")]
CellId = Annotated[str, Path(pattern=r"^c_[0-9a-f]{12}$")]
Username = Annotated[str, Field(pattern=r"^[a-z0-9_]{3,32}$")]


class SignupIn(BaseModel):
    username: Username
    password: str = Field(min_length=10, max_length=128)
    display_name: str = Field(default="", max_length=80)
    is_admin: bool = False  # only the seed script sends it


class LoginIn(BaseModel):
    username: Username
    password: str = Field(max_length=128)


class ProfilePatch(BaseModel):
    display_name: str = Field(max_length=80)


class UserOut(BaseModel):
    username: str
    display_name: str


class NotebookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class ShareIn(BaseModel):
    username: Username


class NotebookOut(BaseModel):
    notebook_id: str
    owner_id: str
    title: str
    status: str
    shared_with: list[str] = []
    cell_count: int = 0
    version: int | None = None
    updated_at: datetime

    @classmethod
    def of(cls, nb) -> "NotebookOut":
        return cls(
            notebook_id=nb.notebook_id,
            owner_id=nb.owner_id,
            title=nb.title,
            status=nb.status,
            shared_with=list(nb.shared_with or []),
            cell_count=nb.cell_count,
            version=nb.version,
            updated_at=nb.updated_at,
        )


class CellIn(BaseModel):
    kind: Literal["code", "markdown"] = "code"
    source: str = Field(default="", max_length=100_000)
    position: int = Field(default=0, ge=0, le=10_000)


class CellPut(CellIn):
    # The editor sends cells back in the shape it received them.
    notebook_id: str


class MoveIn(BaseModel):
    target_notebook_id: str = Field(pattern=r"^nb_[A-Za-z0-9_-]{22}$")
    position: int = Field(default=0, ge=0, le=10_000)


class CellOut(BaseModel):
    notebook_id: str
    cell_id: str
    kind: str
    source: str
    author_id: str
    position: int

    @classmethod
    def of(cls, c) -> "CellOut":
        return cls(
            notebook_id=c.notebook_id,
            cell_id=c.cell_id,
            kind=c.kind,
            source=c.source,
            author_id=c.author_id,
            position=int(c.position),
        )


class PublicNotebookOut(BaseModel):
    title: str
    owner_id: str
    cells: list[CellOut]
