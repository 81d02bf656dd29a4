from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field


class TicketIn(BaseModel):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(max_length=10_000)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"


class TicketPatch(BaseModel):
    title: str | None = Field(default=None, max_length=200)
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    version: int


class TicketOut(BaseModel):
    ticket_id: UUID
    title: str
    description: str
    priority: str
    status: str
    assignee: str | None = None
    comment_count: int = 0
    version: int
    created_at: datetime


class TicketPage(BaseModel):
    items: list[TicketOut]
    cursor: str | None = None


class AssignIn(BaseModel):
    agent_email: EmailStr


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    internal: bool = False


class AgentIn(BaseModel):
    display_name: str = Field(max_length=100)
    role: Literal["agent", "lead"] = "agent"
    skills: list[str] = []


class AgentSelfPatch(BaseModel):
    display_name: str | None = Field(default=None, max_length=100)
    skills: list[str] | None = None
    role: Literal["agent", "lead"] | None = None


class AgentOut(BaseModel):
    email: EmailStr
    display_name: str
    role: str
    open_count: int = 0


class SlaOut(BaseModel):
    ticket_id: UUID
    priority: str
    status: str
    created_at: datetime
