from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field


class DocCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=200_000)
    tags: list[str] = Field(default_factory=list, max_length=20)


class DocContent(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(max_length=200_000)


class DocMeta(BaseModel):
    title: Optional[str] = Field(default=None, max_length=200)
    tags: Optional[list[str]] = Field(default=None, max_length=20)
    classification: Optional[Literal["public", "internal", "confidential"]] = None
    owner_oid: Optional[str] = None


class StatusChange(BaseModel):
    status: Literal["draft", "review", "published", "retired"]


class ShareIn(BaseModel):
    reader_oid: str = Field(pattern=r"^[0-9a-f-]{36}$")


class BulkDelete(BaseModel):
    doc_ids: list[str] = Field(min_length=1, max_length=25)


class DocOut(BaseModel):
    doc_id: str
    title: str
    owner_oid: str
    status: str
    version: int
    tags: list[str] = []
    classification: str = "internal"


class DocFull(DocOut):
    body: str = ""


class SummaryOut(BaseModel):
    doc_id: str
    title: str
    words: int


class AclOut(BaseModel):
    doc_id: str
    owner_oid: str
    readers: list[str] = []


class SharedDoc(BaseModel):
    doc_id: str
    shared_by: str
    shared_at: str
