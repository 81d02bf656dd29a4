from datetime import datetime
from typing import Optional

from pydantic import BaseModel, Field


class IngredientSchema(BaseModel):
    name: str = Field(max_length=80)
    quantity: Optional[str] = Field(default=None, max_length=40)


class RecipeBase(BaseModel):
    title: str = Field(max_length=140)
    summary: Optional[str] = Field(default=None, max_length=1000)
    ingredients: list[IngredientSchema] = []
    steps: list[str] = []
    likes: int = 0
    published: bool = False


class RecipeRead(RecipeBase):
    recipe_id: str
    author_id: str
    created_at: datetime


class RecipePatch(BaseModel):
    title: Optional[str] = Field(default=None, max_length=140)
    summary: Optional[str] = Field(default=None, max_length=1000)
    steps: Optional[list[str]] = None
    published: Optional[bool] = None


class CommentCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class ProfileUpdate(BaseModel):
    display_name: str = Field(max_length=60)
