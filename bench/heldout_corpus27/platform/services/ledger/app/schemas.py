from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import Field

from libs.common.models import Money, RequestModel, ResponseModel

Currency = Literal["EUR", "GBP", "USD", "CHF"]


class AccountCreate(RequestModel):
    name: str = Field(min_length=1, max_length=80)
    currency: Currency = "EUR"
    kind: Literal["checking", "savings", "cash", "card"] = "checking"
    overdraft_limit: Decimal = Field(default=Decimal("0"), ge=0)


class AccountOut(ResponseModel):
    account_id: UUID
    name: str
    currency: str
    kind: str
    balance: Money
    status: str
    created_at: str


class OverdraftChange(RequestModel):
    overdraft_limit: Decimal = Field(ge=0, le=Decimal("50000"))


class EntryCreate(RequestModel):
    """Also the body of the v0 ``POST /v0/entries`` (kept for old clients)."""

    account_id: UUID
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    memo: str = Field(default="", max_length=140)
    booked_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class EntryOut(ResponseModel):
    entry_id: str
    amount: Money
    memo: str = ""
    timestamp: str


class TransferRequest(RequestModel):
    from_account: UUID
    to_account: UUID
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    memo: str = Field(default="", max_length=140)


class SweepRequest(RequestModel):
    from_account: UUID


class ProfileIn(RequestModel):
    display_name: str = Field(min_length=1, max_length=60)
    default_currency: Literal["EUR", "GBP", "USD", "CHF"] = "EUR"
    timezone: str = Field(default="UTC", max_length=40)


class ProfileOut(ResponseModel):
    email: str
    display_name: str
    default_currency: str
    timezone: str


class LegacyTransfer(RequestModel):
    source: str = Field(pattern=r"^[0-9a-f-]{36}$")
    target: str = Field(pattern=r"^[0-9a-f-]{36}$")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    reference: str = Field(max_length=64)
