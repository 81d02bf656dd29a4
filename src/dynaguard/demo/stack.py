"""The demo stack: embedded DynamoDB, the apps' tables and users, and the app servers."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import httpx

from dynaguard.demo.embedded import CREDENTIALS, REGION, EmbeddedDynamoDB, EmbeddedError
from dynaguard.demo.servers import AppServer, StartError
from dynaguard.demo.settings import (
    PREFIX_ENV,
    SECRET_ENV,
    USERS,
    create_tables,
    profile_item,
    table_name,
)

APPS = ("vulnerable", "hardened")


class DemoError(RuntimeError):
    """The demo cannot go on; the message is one line for the user."""


@dataclass
class RunningApp:
    """A started app: its server, base URL and a bearer token per demo user."""

    name: str
    server: AppServer
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base URL of the app."""
        return self.server.url


@dataclass
class Stack:
    """Everything `running_stack` started, for the runner, `serve` and the tests."""

    dynamodb: EmbeddedDynamoDB
    env: dict[str, str]
    apps: dict[str, RunningApp]


def _seed_tables(db: EmbeddedDynamoDB, apps: Sequence[str]) -> None:
    import boto3

    session = boto3.Session(
        aws_access_key_id=CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        region_name=REGION,
    )
    client = session.client("dynamodb", endpoint_url=db.endpoint_url)
    resource = session.resource("dynamodb", endpoint_url=db.endpoint_url)
    for app in apps:
        for name in create_tables(client, app):
            client.get_waiter("table_exists").wait(TableName=name)
        users = resource.Table(table_name(app, "users"))
        for user in USERS:
            users.put_item(Item=profile_item(user))


def login(url: str, user: str) -> str:
    """A bearer token for a demo user, through the app's own login route."""
    resp = httpx.post(
        f"{url}/auth/login",
        json={"username": user, "password": USERS[user]},
        timeout=10,
        trust_env=False,
    )
    if resp.status_code != 200:
        raise DemoError(f"login as {user} at {url} failed: HTTP {resp.status_code}")
    return str(resp.json()["access_token"])


@contextlib.contextmanager
def running_stack(
    apps: Sequence[str] = APPS, ports: dict[str, int] | None = None
) -> Iterator[Stack]:
    """Start DynamoDB, tables, users and app servers; stop every one of them on exit."""
    with contextlib.ExitStack() as stack:
        try:
            db = stack.enter_context(EmbeddedDynamoDB())
        except EmbeddedError as exc:
            raise DemoError(str(exc)) from None
        # A fresh table prefix and token secret per run: runs never see each other's data.
        env = {
            **db.env(),
            PREFIX_ENV: f"dynaguard-demo-{secrets.token_hex(4)}-",
            SECRET_ENV: secrets.token_urlsafe(32),
        }
        with _patched_env({PREFIX_ENV: env[PREFIX_ENV]}):
            _seed_tables(db, apps)
        running: dict[str, RunningApp] = {}
        for app in apps:
            server = AppServer(app, env, (ports or {}).get(app, 0))
            try:
                stack.enter_context(server)
            except StartError as exc:
                raise DemoError(str(exc)) from None
            running[app] = RunningApp(app, server, {u: login(server.url, u) for u in USERS})
        yield Stack(dynamodb=db, env=env, apps=running)


@contextlib.contextmanager
def _patched_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (table names are read from it)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
