from __future__ import annotations

from decimal import Decimal
from typing import List, Literal, Optional, TypedDict

from pydantic import BaseModel, constr

OrderId = constr(pattern=r"^ord_[0-9A-Za-z]{20}$")
TicketId = constr(pattern=r"^[0-9a-f]{32}$")
NotificationId = constr(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9#:_-]+$")

Plan = Literal["free", "plus", "business"]


class ProfileItem(TypedDict, total=False):
    user_id: str
    email: str
    display_name: str
    locale: str
    plan: str
    open_tickets: int
    created_at: str


class OrderItem(TypedDict, total=False):
    user_id: str
    order_id: str
    status: str
    total: Decimal
    currency: str
    placed_at: str
    delivery_address: dict


class TicketMessage(TypedDict):
    author: str
    body: str
    at: str


class TicketItem(TypedDict, total=False):
    ticket_id: str
    owner_id: str
    subject: str
    body: str
    status: str
    order_id: str
    messages: List[TicketMessage]
    created_at: str
    updated_at: str


class NotificationItem(TypedDict, total=False):
    user_id: str
    notification_id: str
    kind: str
    text: str
    read: bool


# ---- API schemas -------------------------------------------------------------


class ProfileOut(BaseModel):
    user_id: str
    email: str
    display_name: Optional[str] = None
    locale: str = "en"
    plan: str = "free"


class ProfileUpdate(BaseModel):
    display_name: Optional[str] = None
    locale: Optional[str] = None
    plan: Optional[Plan] = None


class OrderOut(BaseModel):
    order_id: str
    status: str
    total: Decimal
    currency: str
    placed_at: str


class OrderSparse(BaseModel):
    order_id: Optional[str] = None
    status: Optional[str] = None
    total: Optional[Decimal] = None
    currency: Optional[str] = None
    placed_at: Optional[str] = None


class ShipmentOut(BaseModel):
    tracking_no: str
    order_id: str
    carrier: str
    state: str
    eta: Optional[str] = None


class AddressUpdate(BaseModel):
    order_id: OrderId  # type: ignore[valid-type]
    line1: constr(max_length=120)  # type: ignore[valid-type]
    line2: Optional[constr(max_length=120)] = None  # type: ignore[valid-type]
    city: constr(max_length=80)  # type: ignore[valid-type]
    postcode: constr(max_length=12)  # type: ignore[valid-type]
    country: constr(min_length=2, max_length=2)  # type: ignore[valid-type]


class TicketOut(BaseModel):
    ticket_id: str
    subject: str
    status: str
    order_id: Optional[str] = None
    created_at: str


class TicketDetail(TicketOut):
    body: str
    messages: List[dict] = []


class TicketCreate(BaseModel):
    subject: constr(min_length=3, max_length=140)  # type: ignore[valid-type]
    body: constr(min_length=1, max_length=4000)  # type: ignore[valid-type]
    order_id: Optional[OrderId] = None  # type: ignore[valid-type]


class TicketEdit(BaseModel):
    subject: Optional[constr(min_length=3, max_length=140)] = None  # type: ignore[valid-type]
    body: Optional[constr(min_length=1, max_length=4000)] = None  # type: ignore[valid-type]


class MessageIn(BaseModel):
    body: constr(min_length=1, max_length=4000)  # type: ignore[valid-type]


class NotificationOut(BaseModel):
    notification_id: str
    kind: str
    text: str
    read: bool = False


class DashboardOut(BaseModel):
    profile: Optional[ProfileOut]
    recent_orders: List[OrderOut]
    open_tickets: List[TicketOut]


class ActivityOut(BaseModel):
    orders: List[OrderOut]
    notifications: List[NotificationOut]
    tickets: List[TicketOut]


class PlanChange(BaseModel):
    plan: Plan
