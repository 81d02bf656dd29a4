from datetime import datetime
from typing import Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class ThreadIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class ThreadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    thread_id: str
    title: str
    state: str
    post_count: int
    created_at: datetime


class PostCreate(BaseModel):
    thread_id: UUID
    body: str = Field(min_length=1, max_length=20_000)
    pinned: bool = False
    reply_to: Optional[str] = Field(default=None, max_length=40)


class PostEdit(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)


class PostOut(BaseModel):
    thread_id: str
    post_id: str
    author_name: str
    body: str
    pinned: bool
    score: int
    created_at: datetime
    edited_at: Optional[datetime] = None


class VoteIn(BaseModel):
    value: Literal[1, -1]


class ReportIn(BaseModel):
    thread_id: UUID
    post_id: str = Field(pattern=r"^[0-9A-Za-z]{26}$")
    reason: str = Field(min_length=3, max_length=500)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    report_id: str
    thread_id: str
    post_id: str
    reason: str
    status: str
    created_at: datetime
