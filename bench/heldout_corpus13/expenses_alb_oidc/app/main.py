"""Expenses service: an ECS task behind an ALB that authenticates with OIDC."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, FastAPI

from .auth import Me, Principal, peek_principal
from .expenses import router as expenses_router
from .models import MeOut, SettingsIn
from .store import SETTINGS, budgets, ddb, from_ddb, to_ddb, utcnow, values

log = logging.getLogger("expenses")

app = FastAPI(title="expenses", version="2.3.0", docs_url="/internal/docs")


def healthz() -> dict:
    # Target group health check; the ALB calls it without the OIDC action.
    table = budgets.describe_table()["Table"]
    return {"ok": True, "budgets": table["TableStatus"]}


def read_me(me: Me) -> dict:
    resp = ddb.get_item(TableName=SETTINGS, Key=to_ddb({"sub": me.sub}))
    stored = from_ddb(resp.get("Item", {}))
    return {
        "sub": me.sub,
        "email": me.email,
        "name": me.name,
        "team_id": me.team_id,
        "approver": me.is_approver,
        "settings": SettingsIn(
            default_currency=stored.get("default_currency", "EUR"),
            weekly_digest=stored.get("weekly_digest", True),
            notify_email=stored.get("notify_email"),
        ),
    }


def save_settings(
    body: SettingsIn,
    caller: Annotated[Principal, Depends(peek_principal)],
) -> SettingsIn:
    ddb.update_item(
        TableName=SETTINGS,
        Key=to_ddb({"sub": caller.sub}),
        UpdateExpression="SET default_currency = :c, weekly_digest = :w, notify_email = :e, updated_at = :now",
        ExpressionAttributeValues=values(
            c=body.default_currency, w=body.weekly_digest, e=body.notify_email, now=utcnow()
        ),
    )
    return body


app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
app.add_api_route("/me", read_me, methods=["GET"], response_model=MeOut, tags=["me"])
app.add_api_route(
    "/me/settings", save_settings, methods=["PUT"], response_model=SettingsIn, tags=["me"]
)
app.include_router(expenses_router, prefix="/api")
