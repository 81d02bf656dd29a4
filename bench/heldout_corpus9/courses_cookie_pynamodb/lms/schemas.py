from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

CourseId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
UserId = Annotated[str, Path(pattern=r"^[a-z0-9._-]{3,40}$")]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserRead(ORMModel):
    user_id: str
    email: str
    display_name: str | None = None
    bio: str | None = None


class ProfileUpdate(BaseModel):
    display_name: str | None = Field(default=None, max_length=80)
    bio: str | None = Field(default=None, max_length=1000)
    role: str | None = None


class CourseBase(BaseModel):
    title: str = Field(max_length=140)
    description: str | None = Field(default=None, max_length=5000)
    price_cents: int = Field(default=0, ge=0)


class CourseCreate(CourseBase):
    pass


class CourseUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=140)
    description: str | None = Field(default=None, max_length=5000)
    price_cents: int | None = Field(default=None, ge=0)


class CourseRead(CourseBase, ORMModel):
    course_id: str
    owner_id: str
    status: str
    enrolled: int = 0
    created_at: datetime


class EnrollmentRead(ORMModel):
    course_id: str
    user_id: str
    status: str
    progress: int
    enrolled_at: datetime


class ProgressIn(BaseModel):
    progress: int = Field(ge=0, le=100)


class ProgressSync(ProgressIn):
    course_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    user_id: str = Field(pattern=r"^[a-z0-9._-]{3,40}$")


class ReviewIn(BaseModel):
    author: str = Field(max_length=80)
    rating: int = Field(ge=1, le=5)
    body: str | None = Field(default=None, max_length=4000)


class OwnerIn(BaseModel):
    owner_id: str = Field(pattern=r"^[a-z0-9._-]{3,40}$")
