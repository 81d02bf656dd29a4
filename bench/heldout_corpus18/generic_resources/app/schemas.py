from datetime import datetime
from typing import Any, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class ItemIn(BaseModel):
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=20)


class ItemReplace(BaseModel):
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    owner_id: Optional[str] = None
    created_at: Optional[str] = None


class ItemPatch(BaseModel):
    title: Optional[str] = Field(None, max_length=200)
    body: Optional[str] = Field(None, max_length=20_000)
    tags: Optional[list[str]] = None


class ItemOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item_id: str
    kind: str
    title: str
    body: str = ""
    tags: list[str] = []
    owner_id: str
    created_at: str
    updated_at: str
    share_count: int = 0
    status: Optional[str] = None


class ShareIn(BaseModel):
    user_id: str = Field(..., max_length=64)
    permission: Literal["read", "comment"] = "read"


class StatusIn(BaseModel):
    status: Literal["todo", "doing", "done"]
