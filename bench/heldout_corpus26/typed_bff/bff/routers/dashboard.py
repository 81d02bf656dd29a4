from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from .. import repository as repo
from ..auth import CurrentUser, get_current_user
from ..config import notifications_table, orders_table, profiles_table, tickets_table
from ..items import (
    ActivityOut,
    DashboardOut,
    NotificationOut,
    OrderOut,
    ProfileOut,
    TicketOut,
)

router = APIRouter(prefix="/v1", tags=["dashboard"])


@router.get("/dashboard", response_model=DashboardOut)
async def dashboard(user: CurrentUser = Depends(get_current_user)) -> DashboardOut:
    profile, orders, tickets = await asyncio.gather(
        run_in_threadpool(repo.get_profile, profiles_table(), user.sub),
        run_in_threadpool(repo.list_orders, orders_table(), user.sub, 5),
        run_in_threadpool(repo.list_open_tickets, tickets_table(), user.sub),
    )
    return DashboardOut(
        profile=ProfileOut.model_validate(profile) if profile else None,
        recent_orders=[OrderOut.model_validate(o) for o in orders],
        open_tickets=[TicketOut.model_validate(t) for t in tickets],
    )


@router.get("/activity", response_model=ActivityOut)
async def activity(user: CurrentUser = Depends(get_current_user)) -> ActivityOut:
    orders = await run_in_threadpool(repo.list_orders, orders_table(), user.sub, 10)
    notifications = await run_in_threadpool(
        repo.recent_notifications, notifications_table(), user.sub
    )
    tickets = await run_in_threadpool(repo.recent_tickets, tickets_table())
    return ActivityOut(
        orders=[OrderOut.model_validate(o) for o in orders],
        notifications=[NotificationOut.model_validate(n) for n in notifications],
        tickets=[TicketOut.model_validate(t) for t in tickets],
    )
