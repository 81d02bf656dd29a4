from datetime import datetime
from typing import Optional

from pydantic import BaseModel, Field


class TodoCreate(BaseModel):
    title: str = Field(..., max_length=200)
    description: Optional[str] = None
    due: Optional[datetime] = None


class TodoUpdate(BaseModel):
    title: Optional[str] = None
    description: Optional[str] = None
    completed: Optional[bool] = None


class Todo(BaseModel):
    todo_id: str
    title: str
    description: Optional[str] = None
    completed: bool = False


class UserCreate(BaseModel):
    username: str
    password: str
    email: str
    is_admin: bool = False
