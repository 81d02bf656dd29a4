from __future__ import annotations

import uuid
from typing import Dict, List

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status
from starlette.concurrency import run_in_threadpool

from .. import repository as repo
from ..auth import CurrentUser, get_current_user
from ..config import profiles_table, tickets_table
from ..items import (
    MessageIn,
    TicketCreate,
    TicketDetail,
    TicketEdit,
    TicketId,
    TicketItem,
    TicketOut,
)

router = APIRouter(prefix="/v1/tickets", tags=["support"])

OPEN_TICKET_LIMITS: Dict[str, int] = {"free": 2, "plus": 10, "business": 50}


@router.get("", response_model=List[TicketOut])
async def my_tickets(user: CurrentUser = Depends(get_current_user)) -> List[TicketOut]:
    tickets = await run_in_threadpool(repo.list_open_tickets, tickets_table(), user.sub)
    return [TicketOut.model_validate(t) for t in tickets]


@router.post("", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
async def open_ticket(
    payload: TicketCreate, user: CurrentUser = Depends(get_current_user)
) -> TicketOut:
    profile = await run_in_threadpool(repo.get_profile, profiles_table(), user.sub)
    plan = (profile or {}).get("plan", "free")
    now = repo.utcnow()
    ticket: TicketItem = {
        "ticket_id": uuid.uuid4().hex,
        "owner_id": user.sub,
        "subject": payload.subject,
        "body": payload.body,
        "status": "open",
        "messages": [],
        "created_at": now,
        "updated_at": now,
    }
    if payload.order_id:
        ticket["order_id"] = payload.order_id

    await run_in_threadpool(
        tickets_table().put_item,
        Item=dict(ticket),
        ConditionExpression="attribute_not_exists(ticket_id)",
    )
    try:
        await run_in_threadpool(
            profiles_table().update_item,
            Key={"user_id": user.sub},
            UpdateExpression="ADD open_tickets :one",
            ConditionExpression="attribute_not_exists(open_tickets) OR open_tickets < :limit",
            ExpressionAttributeValues={":one": 1, ":limit": OPEN_TICKET_LIMITS[plan]},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=429, detail="Open ticket limit reached")
        raise
    return TicketOut.model_validate(ticket)


@router.get("/{ticket_id}", response_model=TicketDetail)
async def get_ticket(
    ticket_id: TicketId,  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> TicketDetail:
    ticket = await run_in_threadpool(repo.get_ticket, tickets_table(), ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail="Ticket not found")
    if ticket.get("owner_id") != user.sub:
        raise HTTPException(status_code=403, detail="Not your ticket")
    return TicketDetail.model_validate(ticket)


@router.patch("/{ticket_id}", response_model=TicketOut)
async def edit_ticket(
    ticket_id: TicketId,  # type: ignore[valid-type]
    payload: TicketEdit,
    user: CurrentUser = Depends(get_current_user),
) -> TicketOut:
    table = tickets_table()
    ticket = await run_in_threadpool(repo.get_ticket, table, ticket_id)
    if ticket is None or ticket.get("owner_id") != user.sub:
        raise HTTPException(status_code=404, detail="Ticket not found")
    if ticket.get("status") == "closed":
        raise HTTPException(status_code=409, detail="Ticket is closed")

    changes = payload.model_dump(exclude_none=True)
    if not changes:
        return TicketOut.model_validate(ticket)
    changes["updated_at"] = repo.utcnow()
    resp = await run_in_threadpool(
        table.update_item,
        Key={"ticket_id": ticket_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(ticket_id)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
        ReturnValues="ALL_NEW",
    )
    return TicketOut.model_validate(resp["Attributes"])


@router.post("/{ticket_id}/close", status_code=204)
async def close_ticket(
    ticket_id: TicketId,  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> None:
    try:
        await run_in_threadpool(
            tickets_table().update_item,
            Key={"ticket_id": ticket_id},
            UpdateExpression="SET #s = :closed, updated_at = :now",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":closed": "closed",
                ":now": repo.utcnow(),
                ":me": user.sub,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Ticket not found")
        raise


@router.post("/{ticket_id}/messages", status_code=201)
async def add_message(
    ticket_id: TicketId,  # type: ignore[valid-type]
    payload: MessageIn,
    user: CurrentUser = Depends(get_current_user),
) -> Dict[str, str]:
    try:
        repo.append_message(tickets_table(), ticket_id, user.sub, payload.body)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Ticket not found")
        raise
    return {"ticket_id": ticket_id}
