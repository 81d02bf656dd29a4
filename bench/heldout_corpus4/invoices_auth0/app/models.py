from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, EmailStr, Field

InvoiceId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
TenantId = Annotated[str, Path(pattern=r"^org_[A-Za-z0-9]{16}$")]
ReminderId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class Line(BaseModel):
    description: str = Field(max_length=200)
    quantity: int = Field(gt=0)
    unit_price: Decimal = Field(ge=0)


class InvoiceIn(BaseModel):
    customer_email: EmailStr
    currency: Literal["EUR", "USD", "GBP"]
    due_date: date
    lines: list[Line] = Field(min_length=1)
    notes: str | None = Field(default=None, max_length=2000)


class InvoicePatch(BaseModel):
    due_date: date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    po_number: str | None = Field(default=None, max_length=40)
    version: int


class InvoiceOut(BaseModel):
    invoice_id: str
    customer_email: str
    currency: str
    due_date: date
    status: str
    amount_paid: Decimal = Decimal(0)
    notes: str | None = None
    version: int


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    cursor: str | None = None


class PaymentIn(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    reference: str = Field(max_length=80)


class CustomerIn(BaseModel):
    email: EmailStr
    name: str = Field(max_length=120)
    billing_address: str | None = Field(default=None, max_length=500)
    tax_id: str | None = Field(default=None, max_length=32)


class CustomerOut(BaseModel):
    email: str
    name: str
    billing_address: str | None = None


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    cursor: str | None = None


class ReminderIn(BaseModel):
    invoice_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    remind_on: date
    message: str = Field(max_length=300)


class ReminderOut(BaseModel):
    reminder_id: str
    invoice_id: str
    remind_on: date
    message: str
