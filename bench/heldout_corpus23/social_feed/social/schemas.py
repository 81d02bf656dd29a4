from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

USERNAME_RE = r"^[a-z0-9_]{3,30}$"
ULID_RE = r"^[0-9A-HJKMNP-TV-Z]{26}$"

Username = Annotated[str, Path(pattern=USERNAME_RE)]
PostId = Annotated[str, Path(pattern=ULID_RE)]


class ProfileCreate(BaseModel):
    display_name: str = Field(min_length=1, max_length=60)
    bio: str = Field(default="", max_length=280)
    is_private: bool = False


class ProfileUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=60)
    bio: str | None = Field(default=None, max_length=280)
    avatar_url: str | None = Field(default=None, max_length=500)
    is_private: bool | None = None
    verified: bool | None = None


class ProfileOut(BaseModel):
    username: str
    display_name: str
    bio: str
    avatar_url: str | None = None
    is_private: bool
    verified: bool
    followers_count: int
    following_count: int


class FollowOut(BaseModel):
    followee: str
    status: str


class PostCreate(BaseModel):
    body: str = Field(min_length=1, max_length=1000)


class PostEdit(BaseModel):
    body: str = Field(min_length=1, max_length=1000)


class PostOut(BaseModel):
    post_id: str
    author: str
    body: str
    like_count: int
    created_at: datetime
    edited_at: datetime | None = None


class FeedItemOut(BaseModel):
    post_id: str
    author: str
    preview: str
