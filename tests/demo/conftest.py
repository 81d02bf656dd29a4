"""One running demo stack (embedded DynamoDB + both apps under uvicorn) for the HTTP tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dynaguard.demo.stack import RunningApp, Stack, running_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """Both apps, each in its own uvicorn process on 127.0.0.1; stopped after the module."""
    with running_stack() as running:
        yield running


Connect = Callable[..., httpx.Client]


@pytest.fixture
def connect() -> Iterator[Connect]:
    """`connect(app, "alice")`: an httpx client authenticated as a demo user (None: anonymous)."""
    opened: list[httpx.Client] = []

    def make(app: RunningApp, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {app.tokens[user]}"} if user else {}
        c = httpx.Client(base_url=app.url, headers=headers, timeout=10, trust_env=False)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def children(pid: int | None = None) -> set[int]:
    """Live (not zombie) child processes of `pid`, this process by default (Linux /proc)."""
    parent = os.getpid() if pid is None else pid
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == parent and stat[0] != "Z":
                found.add(int(entry.name))
    return found


def dynamodb_threads() -> set[threading.Thread]:
    """Embedded DynamoDB server threads now running (the session fixture's included)."""
    return {t for t in threading.enumerate() if t.name == "embedded-dynamodb"}
