from datetime import date
from decimal import Decimal
from typing import Any, List, Literal, Optional

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

InvoiceId = Field(pattern=r"^inv_[0-9a-f]{32}$")


class OrgOut(BaseModel):
    org_id: str
    name: str
    plan: str
    billing_email: Optional[EmailStr] = None


class OrgPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Optional[str] = Field(default=None, min_length=1, max_length=120)
    billing_email: Optional[EmailStr] = None
    plan: Optional[str] = None

    @model_validator(mode="before")
    @classmethod
    def legacy_fields(cls, data: Any) -> Any:
        # v1 of the dashboard sent "email" and "tier"; keep accepting them
        if isinstance(data, dict):
            data = dict(data)
            if "billing_email" not in data and "email" in data:
                data["billing_email"] = data["email"]
            if "plan" not in data and "tier" in data:
                data["plan"] = data["tier"]
        return data


class UsageEvent(BaseModel):
    units: int = Field(gt=0, le=10_000)
    metric: Literal["api_calls", "exports"] = "api_calls"


class InvoiceCreate(BaseModel):
    org_id: str = Field(pattern=r"^org_[0-9a-z]{12}$")
    period: date
    lines: List["InvoiceLine"] = Field(min_length=1)


class InvoiceLine(BaseModel):
    description: str = Field(max_length=200)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


InvoiceCreate.model_rebuild()


class InvoiceOut(BaseModel):
    invoice_id: str
    period: str
    status: str
    total: Decimal
    amount_due: Decimal


class CreditNoteApply(BaseModel):
    invoice_id: str = InvoiceId


class PaymentNotice(BaseModel):
    invoice_id: str = InvoiceId
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    reference: str = Field(max_length=64)
