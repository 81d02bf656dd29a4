"""What the zoo apps share: JWTs, passwords, a request log, and the record a test drives.

Only plumbing lives here; each app writes its routes, storage and auth checks itself,
the way the service it imitates would.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
import jwt

from dynaguard.demo.embedded import create_table

SECRET = "zoo-signing-key-only-for-tests-0123456789"
PASSWORD = "correct horse battery staple"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
ASGIApp = Callable[..., Awaitable[None]]
_names = itertools.count(1)


def issue(username: str, **claims: Any) -> str:
    """A signed HS256 token whose `sub` is the username, as most JWT tutorials issue."""
    body = {"sub": username, "iat": int(time.time()), "exp": int(time.time()) + 3600, **claims}
    return jwt.encode(body, SECRET, algorithm="HS256")


def claims(token: str) -> dict[str, Any] | None:
    """The token's verified claims, or None for a bad or expired token."""
    try:
        decoded: dict[str, Any] = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    return decoded


def subject(token: str) -> str | None:
    """The token's verified `sub`, or None for a bad or expired token."""
    sub = (claims(token) or {}).get("sub")
    return sub if isinstance(sub, str) else None


def hash_password(password: str) -> str:
    """A salted hash (fixed salt: the zoo only needs the field to exist and differ)."""
    return hashlib.sha256(b"zoo$" + password.encode()).hexdigest()


def table_name(style: str) -> str:
    """A fresh table name per app instance: tests share one DynamoDB server."""
    return f"zoo-{style}-{next(_names)}"


def dynamo_table(name: str, hash_key: str, **kw: Any) -> Any:
    """Create the table on the embedded DynamoDB (settings from the environment)."""
    create_table(boto3.client("dynamodb"), name, hash_key=hash_key, **kw)
    return boto3.resource("dynamodb").Table(name)


def scan_keys(table: Any, *keys: str, unless: str = "") -> set[str]:
    """Every item's key in a table, straight from DynamoDB (never through the app).

    `unless` names a flag that marks an item as deleted in the app's own terms.
    """
    out: set[str] = set()
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items = [i for i in page["Items"] if not (unless and i.get(unless))]
        out |= {"|".join(str(i.get(k)) for k in keys) for i in items}
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class RequestLog:
    """ASGI middleware recording (method, path) of every HTTP request the app receives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.entries: list[tuple[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.entries.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)

    def writes(self) -> list[tuple[str, str]]:
        """The state-changing requests (anything but GET, HEAD, OPTIONS)."""
        return [e for e in self.entries if e[0] not in SAFE]


Login = Callable[[httpx.AsyncClient, str], Awaitable[str]]


@dataclass
class Zoo:
    """One planted (or clean) app: what a test probes, inspects and logs in with."""

    app: RequestLog
    # Every stored object's key, read from the app's storage directly.
    snapshot: Callable[[], set[str]]
    # Sign up (if needed) and log in through the app's own endpoints: "Header: value".
    login: Login
    # Make a user an admin in the storage (roles live in the user record); None: no roles.
    promote: Callable[[str], None] | None = None
    spec: str | None = None  # spec URL path when it is not /openapi.json
    close: Callable[[], Awaitable[object]] | None = None  # release clients the app opened
    state: dict[str, Any] = field(default_factory=dict)

    async def identities(self, *, admin: bool = True) -> tuple[str, ...]:
        """alice and bob (ordinary users), and root[admin] when the app has roles."""
        out: list[str] = []
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        ) as client:
            for name in ("alice", "bob"):
                out.append(f"{name}={await self.login(client, name)}")
            if admin and self.promote is not None:
                await self.login(client, "root")
                self.promote("root")
                out.append(f"root[admin]={await self.login(client, 'root')}")
        self.app.entries.clear()
        return tuple(out)


def expect_ok(response: httpx.Response) -> httpx.Response:
    """The response, or an AssertionError saying what the app answered (test set-up)."""
    assert response.status_code < 400, (response.request.url, response.status_code, response.text)
    return response
