from __future__ import annotations

import os
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Optional

from dyntastic import Dyntastic, Index
from fastapi import Path
from pydantic import BaseModel, EmailStr, Field

STAGE = os.getenv("STAGE", "dev")

Slug = Annotated[str, Path(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Username = Annotated[str, Path(pattern=r"^[a-z0-9_]{3,32}$")]
CollectionName = Annotated[str, Path(min_length=1, max_length=60)]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class User(Dyntastic):
    __table_name__ = f"catalog-{STAGE}-users"
    __hash_key__ = "username"

    username: str
    email: str
    display_name: str = ""
    bio: str = ""
    password_hash: str
    role: str = "member"
    email_verified: bool = False
    verify_token: Optional[str] = None
    avatar_key: Optional[str] = None
    created_at: datetime = Field(default_factory=utcnow)


class Recipe(Dyntastic):
    __table_name__ = f"catalog-{STAGE}-recipes"
    __hash_key__ = "slug"

    slug: str
    title: str
    author: str
    summary: str = ""
    ingredients: list[str] = []
    steps: list[str] = []
    tags: set[str] = set()
    status: str = "draft"
    featured: bool = False
    rating_sum: int = 0
    rating_count: int = 0
    version: int = 1
    published_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Review(Dyntastic):
    __table_name__ = f"catalog-{STAGE}-reviews"
    __hash_key__ = "recipe_slug"
    __range_key__ = "author"

    recipe_slug: str
    author: str
    rating: int
    body: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Collection(Dyntastic):
    __table_name__ = f"catalog-{STAGE}-collections"
    __hash_key__ = "username"
    __range_key__ = "name"

    username: str
    name: str
    private: bool = True
    recipe_slugs: set[str] = set()
    updated_at: datetime = Field(default_factory=utcnow)


RECIPES_BY_AUTHOR = Index("author", "created_at", index_name="author-created_at-index")


# ---- request / response schemas -------------------------------------------


class RecipeCreate(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field("", max_length=500)
    ingredients: list[str] = []
    steps: list[str] = []
    tags: set[str] = set()
    featured: bool = False


class RecipeUpdate(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field("", max_length=500)
    ingredients: list[str] = []
    steps: list[str] = []
    tags: set[str] = set()
    version: int


class RecipeOut(BaseModel):
    slug: str
    title: str
    author: str
    summary: str
    ingredients: list[str]
    steps: list[str]
    tags: set[str]
    status: str
    featured: bool
    rating: Optional[Decimal] = None
    version: int


class ReviewOut(BaseModel):
    author: str
    rating: int
    body: str
    created_at: datetime


class ProfileUpdate(BaseModel):
    display_name: Optional[str] = Field(None, max_length=60)
    bio: Optional[str] = Field(None, max_length=400)
    email: Optional[EmailStr] = None
    email_verified: Optional[bool] = None


class ProfileOut(BaseModel):
    username: str
    display_name: str
    bio: str
    avatar_key: Optional[str] = None


class CollectionOut(BaseModel):
    username: str
    name: str
    private: bool
    recipe_slugs: set[str]


def to_out(recipe: Recipe) -> RecipeOut:
    rating = None
    if recipe.rating_count:
        rating = (Decimal(recipe.rating_sum) / recipe.rating_count).quantize(Decimal("0.1"))
    return RecipeOut(**recipe.model_dump(include=set(RecipeOut.model_fields) - {"rating"}), rating=rating)
