from datetime import datetime, timezone
from uuid import uuid4

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr, Field

from ..deps import Tickets

router = APIRouter(prefix="/support", tags=["support"])


class TicketIn(BaseModel):
    email: EmailStr
    subject: str = Field(max_length=120)
    message: str = Field(max_length=5000)
    payment_id: str | None = Field(default=None, pattern=r"^pay_[0-9a-f]{32}$")


class TicketOut(BaseModel):
    ticket_id: str
    status: str


@router.get("/health")
async def health() -> dict:
    return {"ok": True}


@router.post("/tickets", response_model=TicketOut, status_code=201)
async def open_ticket(body: TicketIn, tickets: Tickets):
    item = {
        "ticket_id": str(uuid4()),
        "email": body.email,
        "subject": body.subject,
        "message": body.message,
        "payment_id": body.payment_id,
        "status": "open",
        "created_at": datetime.now(timezone.utc).isoformat(),
    }
    await tickets.put_item(Item=item)
    return item
