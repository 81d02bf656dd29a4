"""Fixtures for the prober's tests: a fresh notes table per test, apps, identities, runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import boto3
import pytest
from fastapi import FastAPI

from dynaguard.core import Result
from dynaguard.demo.embedded import EmbeddedDynamoDB, create_table
from dynaguard.probe import Limits, ProbeOptions, asgi_transport, parse_identity, run_async
from tests.probe.apps.notes_app import make_app

ALICE = "alice=Authorization: Bearer tok-alice-5ecret-A1"
BOB = "bob=Authorization: Bearer tok-bob-5ecret-B2"
SECRETS = ("tok-alice-5ecret-A1", "tok-bob-5ecret-B2")
_tables = itertools.count(1)

MakeApp = Callable[..., FastAPI]


@pytest.fixture
def notes_app(dynamodb_server: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> MakeApp:
    """A factory: notes_app(*bugs) -> a planted app on its own fresh table."""

    def make(*bugs: str) -> FastAPI:
        name = f"notes-{request.node.name[:40]}-{next(_tables)}".replace("[", "-").replace("]", "")
        kwargs = dynamodb_server.client_kwargs()
        create_table(boto3.client("dynamodb", **kwargs), name, hash_key="note_id")
        app = make_app(name, bugs, **kwargs)
        app.state.table = name
        return app

    return make


def _table(app: FastAPI) -> Any:
    """The app's DynamoDB table, straight (not through the app)."""
    import os

    from dynaguard.demo.embedded import CREDENTIALS, REGION

    return boto3.resource(
        "dynamodb",
        endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name=REGION,
        **CREDENTIALS,
    ).Table(app.state.table)


def seed(app: FastAPI, notes: Iterable[dict[str, Any]]) -> None:
    """Put notes straight into the app's table (objects the prober did not create)."""
    for note in notes:
        _table(app).put_item(Item={"version": 1, "is_admin": False, "body": "", **note})


def scan(app: FastAPI) -> list[dict[str, Any]]:
    """Every item in the app's table (what the run left behind)."""
    return list(_table(app).scan()["Items"])


def cli_app_argv(app: FastAPI, monkeypatch: pytest.MonkeyPatch, bugs: str = "") -> list[str]:
    """`probe --app tests.probe.apps.cli_app:app` on this app's table, as alice and bob."""
    import sys

    monkeypatch.setenv("DG_PROBE_TABLE", app.state.table)
    monkeypatch.setenv("DG_PROBE_BUGS", bugs)
    # The module reads its table at import: a fresh import for this test's table.
    monkeypatch.delitem(sys.modules, "tests.probe.apps.cli_app", raising=False)
    app_ref = "tests.probe.apps.cli_app:app"
    return ["probe", "--app", app_ref, "--identity", ALICE, "--identity", BOB, "--active"]


def options(app: FastAPI | None = None, *, active: bool = True, **kw: Any) -> ProbeOptions:
    """Probe options for an in-process app with alice (owner) and bob (attacker)."""
    idents = kw.pop("identities", (ALICE, BOB))
    return ProbeOptions(
        target=kw.pop("target", "http://testserver"),
        identities=tuple(parse_identity(i) for i in idents),
        active=active,
        transport=asgi_transport(app) if app is not None else kw.pop("transport", None),
        limits=kw.pop("limits", Limits(budget=600, timeout=5.0)),
        **kw,
    )


async def probe(app: FastAPI, *, active: bool = True, **kw: Any) -> Result:
    """Run the prober in-process against the app."""
    return await run_async(options(app, active=active, **kw))


def pairs(result: Result) -> set[tuple[str, str | None]]:
    """The (rule, route) pairs of a result: what the tests compare exactly."""
    return {(f.rule, f.route) for f in result.findings}
