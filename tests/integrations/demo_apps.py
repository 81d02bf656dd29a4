"""The demo's vulnerable and hardened apps in this process, on the session's DynamoDB.

Each app gets its own tables (a fresh prefix), the demo users, and a token per user
obtained through the app's own login route, all through httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import importlib
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest

from dynaguard.demo.embedded import CREDENTIALS, REGION, EmbeddedDynamoDB
from dynaguard.demo.settings import (
    PREFIX_ENV,
    SECRET_ENV,
    USERS,
    create_tables,
    profile_item,
    table_name,
)


@dataclass(frozen=True)
class DemoApp:
    """An imported demo app and its users' credential headers."""

    name: str
    app: Callable[..., Any]
    headers: dict[str, dict[str, str]]

    def identities(self, *users: str) -> dict[str, dict[str, str]]:
        """`{"alice": {"Authorization": ...}, ...}` for the given users."""
        return {u: self.headers[u] for u in users}


async def _login(app: Callable[..., Any], user: str) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        resp = await client.post("/auth/login", json={"username": user, "password": USERS[user]})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


@contextmanager
def demo_apps(db: EmbeddedDynamoDB) -> Iterator[dict[str, DemoApp]]:
    """Both demo apps with their tables and users; environment restored afterwards."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PREFIX_ENV, f"dynaguard-it-{secrets.token_hex(4)}-")
        env.setenv(SECRET_ENV, secrets.token_urlsafe(32))
        session = boto3.Session(region_name=REGION, **CREDENTIALS)
        client = session.client("dynamodb", endpoint_url=db.endpoint_url)
        resource = session.resource("dynamodb", endpoint_url=db.endpoint_url)
        out: dict[str, DemoApp] = {}
        for name in ("vulnerable", "hardened"):
            for table in create_tables(client, name):
                client.get_waiter("table_exists").wait(TableName=table)
            users = resource.Table(table_name(name, "users"))
            for user in USERS:
                users.put_item(Item=profile_item(user))
            app = importlib.import_module(f"dynaguard.demo.{name}.app").app
            tokens = {u: asyncio.run(_login(app, u)) for u in USERS}
            headers = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
            out[name] = DemoApp(name, app, headers)
        yield out
