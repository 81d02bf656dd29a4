from datetime import datetime
from decimal import Decimal
from typing import List, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Amount = Field(gt=0, max_digits=12, decimal_places=2)


class WalletOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str
    currency: str
    balance: Decimal
    status: str
    nickname: Optional[str] = None


class WalletPrefs(BaseModel):
    nickname: Optional[str] = Field(None, max_length=40)
    currency: Optional[Literal["EUR", "USD", "GBP"]] = None
    daily_limit: Optional[Decimal] = None


class TransferIn(BaseModel):
    to_user_id: str = Field(max_length=64)
    amount: Decimal = Amount
    memo: str = Field("", max_length=140)


class TransferOut(BaseModel):
    transfer_id: UUID
    status: str
    amount: Decimal


class LimitIn(BaseModel):
    daily_limit: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class HandleIn(BaseModel):
    handle: str = Field(pattern=r"^[a-z0-9_]{3,24}$")


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: str
    kind: str
    amount: Decimal
    counterparty: Optional[str] = None
    memo: Optional[str] = None
    created_at: datetime


class TransferSummary(BaseModel):
    transfer_id: str
    sender_id: str
    recipient_id: str
    amount: Decimal
    status: str


class PendingOut(BaseModel):
    items: List[TransferSummary]
