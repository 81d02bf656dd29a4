from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field
from pynamodb.exceptions import PutError, UpdateError

from .audit import record_audit
from .models import Message, Session, Ticket, User, utcnow
from .sessions import COOKIE_NAME, SESSION_TTL, CurrentSession, CurrentUser, open_session, verify_password

router = APIRouter()


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)


class MeOut(BaseModel):
    user_id: str
    email: str
    display_name: str | None = None


class TicketIn(BaseModel):
    subject: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=1, max_length=10_000)
    priority: Literal["low", "normal", "high"] = "normal"
    assigned_agent_id: str | None = Field(None, max_length=64)


class TicketOut(BaseModel):
    ticket_id: str
    subject: str
    body: str
    status: str
    priority: str
    created_at: datetime
    updated_at: datetime


class ReplyIn(BaseModel):
    customer_id: str = Field(max_length=64)
    body: str = Field(min_length=1, max_length=10_000)


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5)


def ticket_out(t: Ticket) -> TicketOut:
    return TicketOut(
        ticket_id=t.ticket_id, subject=t.subject, body=t.body, status=t.status,
        priority=t.priority, created_at=t.created_at, updated_at=t.updated_at,
    )


@router.post("/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response):
    user = next(iter(User.by_email.query(body.email.lower(), limit=1)), None)
    if user is None or not verify_password(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    session = open_session(user, request.headers.get("user-agent"))
    response.set_cookie(
        COOKIE_NAME, session.token, max_age=int(SESSION_TTL.total_seconds()),
        httponly=True, secure=True, samesite="lax",
    )
    return MeOut(user_id=user.user_id, email=user.email, display_name=user.display_name)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: CurrentSession, response: Response):
    session.delete(condition=Session.user_id == session.user_id)
    response.delete_cookie(COOKIE_NAME)


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser):
    return MeOut(user_id=user.user_id, email=user.email, display_name=user.display_name)


@router.post("/tickets", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
def open_ticket(body: TicketIn, user: CurrentUser, background: BackgroundTasks):
    ticket = Ticket(str(uuid4()), customer_id=user.user_id, **body.model_dump())
    ticket.save(condition=Ticket.ticket_id.does_not_exist())
    background.add_task(record_audit, user.user_id, "ticket.open", ticket.ticket_id)
    return ticket_out(ticket)


@router.get("/tickets/search", response_model=list[TicketOut])
def search_tickets(user: CurrentUser, q: str = Query(min_length=3, max_length=100)):
    hits = Ticket.scan(Ticket.subject.contains(q), limit=100)
    return [ticket_out(t) for t in hits if t.customer_id == user.user_id]


@router.get("/tickets/{ticket_id}", response_model=TicketOut)
async def get_ticket(ticket_id: UUID, user: CurrentUser):
    try:
        ticket = Ticket.get(str(ticket_id))
    except Ticket.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    if ticket.customer_id != user.user_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your ticket")
    return ticket_out(ticket)


@router.post("/tickets/{ticket_id}/close", response_model=TicketOut)
def close_ticket(ticket_id: UUID, user: CurrentUser):
    ticket = Ticket(str(ticket_id))
    try:
        ticket.update(
            actions=[
                Ticket.status.set("closed"),
                Ticket.closed_at.set(utcnow()),
                Ticket.updated_at.set(utcnow()),
            ],
            condition=Ticket.customer_id == user.user_id,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
        raise
    return ticket_out(ticket)


# Used by the help widget and the e-mail bridge.

@router.post("/tickets/{ticket_id}/replies", status_code=status.HTTP_201_CREATED)
def add_reply(ticket_id: UUID, body: ReplyIn, request: Request):
    try:
        ticket = Ticket.get(str(ticket_id))
    except Ticket.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    if ticket.status == "closed":
        raise HTTPException(status.HTTP_409_CONFLICT, "ticket is closed")
    message = Message(
        ticket.ticket_id, str(uuid4()), author=body.customer_id, body=body.body,
        sender_ip=request.client.host if request.client else None,
    )
    message.save()
    return {"message_id": message.message_id}


@router.get("/tickets/{ticket_id}/messages")
def list_messages(ticket_id: str):
    return [m.attribute_values for m in Message.query(ticket_id, scan_index_forward=True)]


@router.post("/tickets/{ticket_id}/rating", status_code=status.HTTP_204_NO_CONTENT)
def rate_ticket(ticket_id: UUID, body: RatingIn):
    try:
        Ticket(str(ticket_id)).update(
            actions=[Ticket.rating.set(body.score)],
            condition=(Ticket.status == "closed") & Ticket.rating.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "ticket cannot be rated")
        raise


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PutError)
    async def put_failed(request: Request, exc: PutError):
        return JSONResponse(status_code=502, content={"detail": str(exc)})

    @app.exception_handler(UpdateError)
    async def update_failed(request: Request, exc: UpdateError):
        return JSONResponse(
            status_code=502,
            content={"detail": "update failed", "reason": exc.cause_response_message},
        )
