"""Given an --active run that has changed alice's profile and created objects, when it is
interrupted (task cancelled, Ctrl-C, SIGTERM), then it still deletes what it created and
restores the profile before it stops, and says so.

The target is the demo's vulnerable app (uvicorn on 127.0.0.1): its PATCH /users/me lets
the mass-assignment probe make alice an admin, the change the cleanup must undo.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from dynaguard.demo.runner import auth
from dynaguard.demo.stack import RunningApp, running_stack
from dynaguard.probe import Identity, Limits, ProbeOptions, parse_identity, run_async
from dynaguard.probe.client import ScopedClient

DEADLINE = 60.0


@pytest.fixture(scope="module")
def app() -> Iterator[RunningApp]:
    """The vulnerable demo app alone, with its embedded DynamoDB."""
    with running_stack(("vulnerable",)) as stack:
        yield stack.apps["vulnerable"]


def state(app: RunningApp) -> tuple[dict[str, object], list[str]]:
    """Alice's profile (version aside: every update moves it) and her note ids."""
    with httpx.Client(base_url=app.url, headers=auth(app, "alice"), trust_env=False) as c:
        profile = c.get("/users/me").json()
        notes = [n["note_id"] for n in c.get("/notes").json()]
    profile.pop("version", None)
    return profile, notes


def wait_until_admin(app: RunningApp) -> None:
    """Poll until the probe has made alice an admin (its change is in place)."""
    deadline = time.monotonic() + DEADLINE
    with httpx.Client(base_url=app.url, headers=auth(app, "alice"), trust_env=False) as c:
        while time.monotonic() < deadline:
            if c.get("/users/me").json().get("role") == "admin":
                return
            time.sleep(0.01)
    raise AssertionError("the probe never changed alice's role; nothing to interrupt")


def identities(app: RunningApp) -> list[str]:
    """--identity flags for alice (owner) and bob (attacker)."""
    return [f"{u}=Authorization: Bearer {app.tokens[u]}" for u in ("alice", "bob")]


async def test_cancelled_run_restores_the_profile_and_deletes_its_objects(
    app: RunningApp,
) -> None:
    before = state(app)
    idents = tuple(Identity(u, auth(app, u)) for u in ("alice", "bob"))
    # Slowed down so the cancel lands mid-run, after the profile changed.
    options = ProbeOptions(
        target=app.url, identities=idents, active=True, limits=Limits(rate=40, timeout=5)
    )
    task = asyncio.ensure_future(run_async(options))
    await asyncio.to_thread(wait_until_admin, app)
    assert not task.done(), "the run ended before it could be interrupted"
    task.cancel()
    with pytest.raises(asyncio.CancelledError, match="all restored"):
        await task
    assert state(app) == before


async def test_a_cancel_landing_as_an_answer_arrives_is_not_lost() -> None:
    """The SIGTERM handler (or asyncio's Ctrl-C one) cancels the run while a request's answer
    is being read: the run must still stop. asyncio.wait_for on 3.11 returned the answer and
    dropped the cancellation, so a loaded machine's interrupted run went on and exited 1."""
    ident = parse_identity("alice=Authorization: Bearer t")
    run: asyncio.Future[None] | None = None

    def answer(request: httpx.Request) -> httpx.Response:
        assert run is not None
        run.cancel()
        return httpx.Response(200, json={})

    client = ScopedClient(
        "http://127.0.0.1:9",
        identities=[ident],
        limits=Limits(),
        transport=httpx.MockTransport(answer),
    )

    async def probing() -> None:
        await client.send(ident, "GET", "/things", route="GET /things")
        await asyncio.sleep(1)

    run = asyncio.ensure_future(probing())
    try:
        with pytest.raises(asyncio.CancelledError):
            await run
    finally:
        await client.aclose()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_cli_interrupted_cleans_up_and_says_so(app: RunningApp, sig: int) -> None:
    before = state(app)
    argv = [sys.executable, "-m", "dynaguard", "probe", app.url, "--active"]
    for ident in identities(app):
        argv += ["--identity", ident]
    proc = subprocess.Popen(
        [*argv, "--rate", "40", "-q", "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        wait_until_admin(app)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    said = re.fullmatch(
        r"dynaguard probe: interrupted; cleanup deleted (\d+) of (\d+) object\(s\) this run "
        r"created and checked 2 profile\(s\), all restored",
        err.strip(),
    )
    assert said is not None, err
    assert said.group(1) == said.group(2) != "0"
    assert state(app) == before
