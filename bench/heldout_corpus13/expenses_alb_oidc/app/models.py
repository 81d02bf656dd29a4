from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

ExpenseId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
ReportId = Annotated[str, Path(pattern=r"^rpt_[0-9a-f]{32}$")]
Category = Literal["travel", "meals", "lodging", "equipment", "software", "other"]


class ExpenseIn(BaseModel):
    # Corporate card imports post the feed's merchant metadata along with the
    # expense (mcc, terminal_id, card_last4, ...). Keep it rather than 422.
    model_config = ConfigDict(extra="allow")

    amount_cents: int = Field(gt=0, le=5_000_000)
    currency: str = Field(min_length=3, max_length=3)
    category: Category
    merchant: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)
    spent_on: date


class ExpenseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_cents: int | None = Field(default=None, gt=0, le=5_000_000)
    category: Category | None = None
    merchant: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=500)
    version: int = Field(ge=1)


class ExpenseOut(BaseModel):
    expense_id: str
    owner_sub: str
    amount_cents: int
    currency: str
    category: str
    merchant: str
    description: str = ""
    spent_on: str
    status: str
    version: int
    report_id: str | None = None
    approved_by: str | None = None
    rejection_reason: str | None = None
    created_at: str


class RejectIn(BaseModel):
    reason: str = Field(min_length=3, max_length=300)


class AttachIn(BaseModel):
    report_id: str = Field(pattern=r"^rpt_[0-9a-f]{32}$")


class ReportIn(BaseModel):
    title: str = Field(min_length=1, max_length=120)


class ReportOut(BaseModel):
    report_id: str
    owner_sub: str
    title: str
    total_cents: int = 0
    expense_count: int = 0
    created_at: str


class SettingsIn(BaseModel):
    default_currency: str = Field(default="EUR", min_length=3, max_length=3)
    weekly_digest: bool = True
    notify_email: str | None = Field(default=None, max_length=254)


class MeOut(BaseModel):
    sub: str
    email: str
    name: str
    team_id: str
    approver: bool
    settings: SettingsIn
