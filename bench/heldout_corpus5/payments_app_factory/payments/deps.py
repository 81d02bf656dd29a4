"""Table dependencies: everything lives on app.state (see factory.lifespan)."""
from typing import Annotated, Any

from fastapi import Depends, Request


def get_ddb(request: Request) -> Any:
    return request.app.state.ddb


def get_users(request: Request) -> Any:
    return request.app.state.users


def get_payments(request: Request) -> Any:
    return request.app.state.payments


def get_idempotency(request: Request) -> Any:
    return request.app.state.idempotency


def get_tickets(request: Request) -> Any:
    return request.app.state.tickets


Ddb = Annotated[Any, Depends(get_ddb)]
Users = Annotated[Any, Depends(get_users)]
Payments = Annotated[Any, Depends(get_payments)]
Idempotency = Annotated[Any, Depends(get_idempotency)]
Tickets = Annotated[Any, Depends(get_tickets)]
