from typing import Annotated, Literal, Optional

from fastapi import Path
from pydantic import BaseModel, Field

ProjectId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
UserId = Annotated[str, Path(pattern=r"^u_[0-9a-z]{12}$")]

TaskStatus = Literal["todo", "doing", "review", "done"]


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=2000)


class ProjectOut(BaseModel):
    project_id: str
    name: str
    description: str = ""
    status: str = "active"
    task_count: int = 0


class TaskIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    assignee: Optional[str] = None
    priority: int = Field(2, ge=0, le=4)


class TaskPatch(BaseModel):
    title: Optional[str] = Field(None, min_length=1, max_length=200)
    priority: Optional[int] = Field(None, ge=0, le=4)
    status: Optional[TaskStatus] = None


class TaskOut(BaseModel):
    task_id: str
    project_id: str
    title: str
    status: str
    assignee: Optional[str] = None
    priority: int = 2


class AssignIn(BaseModel):
    assignee: str = Field(pattern=r"^u_[0-9a-z]{12}$")


class MoveIn(BaseModel):
    target_project_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class TransferIn(BaseModel):
    target_workspace: str = Field(pattern=r"^[a-z0-9-]{1,32}$")


class KeyIn(BaseModel):
    label: str = Field(max_length=60)
    role: Literal["member", "admin"] = "member"


class KeyOut(BaseModel):
    key_id: str
    label: str
    role: str
    api_key: Optional[str] = None


class MemberUpdate(BaseModel):
    user_id: str = Field(pattern=r"^u_[0-9a-z]{12}$")
    display_name: str = Field(max_length=80)
    title: Optional[str] = Field(None, max_length=80)
