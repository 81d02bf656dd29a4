"""Internal admin API, mounted under /admin and reached only through the ops console."""
import hashlib
import hmac
import os
import time
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from fastapi import BackgroundTasks, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from .audit import record_audit
from .models import Agent, Ticket, User, _Meta, utcnow

ADMIN_SIGNING_KEY = os.environ.get("SUPPORT_ADMIN_SIGNING_KEY", "").encode()
MAX_CLOCK_SKEW = 300

admin_app = FastAPI(title="Support admin", docs_url=None, redoc_url=None, openapi_url=None)


@admin_app.middleware("http")
async def require_signed_request(request: Request, call_next):
    timestamp = request.headers.get("x-admin-timestamp", "")
    actor = request.headers.get("x-admin-actor", "")
    signature = request.headers.get("x-admin-signature", "")
    if not ADMIN_SIGNING_KEY or not actor or not timestamp.isdigit():
        return JSONResponse({"detail": "unauthorized"}, status_code=401)
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        return JSONResponse({"detail": "request expired"}, status_code=401)
    payload = f"{timestamp}.{actor}.{request.method}.{request.url.path}".encode()
    expected = hmac.new(ADMIN_SIGNING_KEY, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return JSONResponse({"detail": "unauthorized"}, status_code=401)
    request.state.actor = actor
    return await call_next(request)


class AdminTicketOut(BaseModel):
    ticket_id: str
    customer_id: str
    subject: str
    status: str
    priority: str
    assigned_agent_id: str | None
    updated_at: datetime


class ReassignIn(BaseModel):
    to_agent_id: str = Field(min_length=1, max_length=64)


class ImportRow(BaseModel):
    external_ref: str = Field(max_length=64)
    customer_id: str = Field(max_length=64)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=10_000)


class ImportIn(BaseModel):
    tickets: list[ImportRow] = Field(max_length=500)


class RoleIn(BaseModel):
    role: Literal["customer", "agent"]


@admin_app.get("/tickets", response_model=list[AdminTicketOut])
def list_tickets(
    state: Literal["open", "pending", "closed"] = "open",
    limit: int = Query(200, ge=1, le=1000),
):
    return [
        AdminTicketOut(**t.attribute_values)
        for t in Ticket.scan(Ticket.status == state, limit=limit)
    ]


@admin_app.post("/tickets/{ticket_id}/reassign", response_model=AdminTicketOut)
def reassign_ticket(ticket_id: UUID, body: ReassignIn, request: Request, background: BackgroundTasks):
    try:
        ticket = Ticket.get(str(ticket_id))
    except Ticket.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    previous = ticket.assigned_agent_id
    if previous == body.to_agent_id:
        return AdminTicketOut(**ticket.attribute_values)

    unchanged = (
        Ticket.assigned_agent_id == previous if previous else Ticket.assigned_agent_id.does_not_exist()
    )
    try:
        with TransactWrite(connection=Connection(region=_Meta.region, host=_Meta.host)) as tx:
            tx.update(
                ticket,
                actions=[Ticket.assigned_agent_id.set(body.to_agent_id), Ticket.updated_at.set(utcnow())],
                condition=unchanged & (Ticket.status != "closed"),
            )
            tx.update(
                Agent(body.to_agent_id),
                actions=[Agent.open_tickets.add(1)],
                condition=Agent.active == True,  # noqa: E712
            )
            if previous:
                tx.update(
                    Agent(previous),
                    actions=[Agent.open_tickets.add(-1)],
                    condition=Agent.open_tickets > 0,
                )
    except TransactWriteError:
        raise HTTPException(status.HTTP_409_CONFLICT, "ticket changed or agent unavailable, retry")

    background.add_task(record_audit, request.state.actor, "ticket.reassign", f"{ticket_id}:{body.to_agent_id}")
    ticket.refresh()
    return AdminTicketOut(**ticket.attribute_values)


@admin_app.post("/tickets/import", status_code=status.HTTP_202_ACCEPTED)
def import_tickets(body: ImportIn, request: Request):
    now = utcnow()
    with Ticket.batch_write() as batch:
        for row in body.tickets:
            batch.save(
                Ticket(
                    str(uuid4()), external_ref=row.external_ref, customer_id=row.customer_id,
                    subject=row.subject, body=row.body, created_at=now, updated_at=now,
                )
            )
    return {"imported": len(body.tickets), "by": request.state.actor}


@admin_app.patch("/users/{user_id}/role", status_code=status.HTTP_204_NO_CONTENT)
def set_user_role(body: RoleIn, user_id: str = Path(max_length=64)):
    try:
        user = User.get(user_id)
    except User.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "user not found")
    user.update(actions=[User.role.set(body.role)])
