"""Routes a router factory registers: one router per call, endpoints as the call makes them."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from dynaguard.core.config import Config
from dynaguard.scan import query as q
from dynaguard.scan import scan
from dynaguard.scan.index import Project

FACTORY = """
import boto3
import jwt
from fastapi import APIRouter, Depends, Header, HTTPException

db = boto3.resource("dynamodb")

def me(authorization: str = Header()) -> str:
    return jwt.decode(authorization, "k", algorithms=["HS256"])["sub"]

def crud(table_name: str, *, prefix: str, owner_attr: str | None = None) -> APIRouter:
    table = db.Table(table_name)
    router = APIRouter(prefix=prefix)

    def read(item_id: str, user: str = Depends(me)) -> dict:
        item = table.get_item(Key={"id": item_id})["Item"]
        if owner_attr and item[owner_attr] != user:
            raise HTTPException(404)
        return item

    @router.get("/")
    def listing(user: str = Depends(me)) -> list:
        if owner_attr is not None:
            return table.query(IndexName="by-owner")["Items"]
        return table.scan()["Items"]

    router.add_api_route("/{item_id}", read, methods=["GET"])
    return router
"""

SETTINGS = """
import os

HOOKS = os.environ.get("HOOKS_TABLE", "hooks-table")
"""

MAIN = """
from fastapi import FastAPI
from app import settings
from app.crud import crud

app = FastAPI()
app.include_router(crud("projects", prefix="/projects", owner_attr="owner"))
hooks = crud(settings.HOOKS, prefix="/hooks")
app.include_router(hooks, prefix="/v2")
"""


def project() -> Project:
    p = Project(Config())
    for name, text in {"app.crud": FACTORY, "app.settings": SETTINGS, "app.main": MAIN}.items():
        p.add_module(name, name.replace(".", "/") + ".py", ast.parse(textwrap.dedent(text)))
    p.link()
    return p


def by_label(p: Project) -> dict[str, q.Route]:
    return {label: r for r in q.routes(p) for label in r.labels}


def test_each_factory_call_has_its_own_routes_under_its_prefix() -> None:
    # Given a factory registering one endpoint by add_api_route and one by decorator,
    # called twice (inline, and through a name with an include prefix)
    # When the project is linked
    labels = by_label(project())
    # Then each call's routes carry the call's prefix, and the generic ones are gone
    assert sorted(labels) == [
        "GET /projects/",
        "GET /projects/{item_id}",
        "GET /v2/hooks/",
        "GET /v2/hooks/{item_id}",
    ]
    assert labels["GET /v2/hooks/{item_id}"].function != labels["GET /projects/{item_id}"].function


def test_the_calls_constants_decide_the_endpoints_checks_and_branches() -> None:
    # Given the same factory, with an owner attribute for projects and none for hooks
    p = project()
    labels = by_label(p)
    # When the requests' events are read
    checks = {
        label: [e.kind for e in q.flow(p, labels[label]) if e.kind == "check"]
        for label in ("GET /projects/{item_id}", "GET /v2/hooks/{item_id}")
    }
    ops = {
        label: sorted(e.call.operation for e in q.flow(p, labels[label]) if e.call is not None)
        for label in ("GET /projects/", "GET /v2/hooks/")
    }
    # Then only the projects' read is checked, and only the hooks' listing scans
    assert checks == {"GET /projects/{item_id}": ["check"], "GET /v2/hooks/{item_id}": []}
    assert ops == {"GET /projects/": ["query"], "GET /v2/hooks/": ["scan"]}


def test_the_copies_name_the_table_the_call_gives() -> None:
    # Given the factory's `table = db.Table(table_name)`, read by the endpoints, and a
    # call naming the table by a constant, another by a setting read from the environment
    p = project()
    # When the calls the routes reach are listed
    reached = {
        (site.route.label, call.handle.table, call.line)
        for call in q.operations(p)
        for site in q.sites(p, call)
        if site.route is not None and call.operation == "get_item"
    }
    # Then each call's endpoint reads its own table, at the line written in the factory
    assert reached == {
        ("GET /projects/{item_id}", "projects", 16),
        ("GET /v2/hooks/{item_id}", "hooks-table", 16),
    }


def test_a_factory_statement_is_one_operation_per_call_and_none_for_the_factory() -> None:
    # Given the factory's get_item, written once inside its nested endpoint
    p = project()
    # When the operations at that line are listed, with the routes that reach them
    found = sorted(
        (c.function or "", [s.route.label if s.route else None for s in q.sites(p, c)])
        for c in q.operations(p)
        if c.line == 16
    )
    # Then there is one per factory call, each reached by its own route only; the factory
    # itself holds no route-less copy of it
    assert found == [
        ("app.crud:crud.read@app.main#1", ["GET /projects/{item_id}"]),
        ("app.crud:crud.read@app.main#2", ["GET /v2/hooks/{item_id}"]),
    ]


GUARDED = """
import jwt
from fastapi import APIRouter, Depends, Header

def verify(authorization: str = Header()) -> dict:
    return jwt.decode(authorization, "k", algorithms=["HS256"])

def anyone() -> None:
    return None

def items(gate, prefix: str) -> APIRouter:
    router = APIRouter(prefix=prefix, dependencies=[Depends(gate)])

    def read(item_id: str) -> dict:
        return {}

    router.add_api_route("/{item_id}", read, methods=["GET"])
    return router
"""

GUARDED_MAIN = """
from fastapi import FastAPI
from app.guarded import anyone, items, verify

app = FastAPI()
private = items(verify, "/private")
app.include_router(private)
app.include_router(private, prefix="/v2")
app.include_router(items(anyone, "/public"))
"""


def test_a_dependency_the_call_passes_guards_its_routes_only() -> None:
    # Given a factory whose router depends on the gate each call passes, one call included
    # twice (with and without a prefix) and another with a gate that verifies nothing
    p = Project(Config())
    for name, text in {"app.guarded": GUARDED, "app.main": GUARDED_MAIN}.items():
        p.add_module(name, name.replace(".", "/") + ".py", ast.parse(textwrap.dedent(text)))
    p.link()
    # When the routes are listed
    found = sorted((r.labels, q.authenticated(r)) for r in q.routes(p))
    # Then the twice-included call is one route at both places, verified by its gate
    assert found == [
        (["GET /private/{item_id}", "GET /v2/private/{item_id}"], True),
        (["GET /public/{item_id}"], False),
    ]


def test_a_factory_routes_fingerprints_survive_a_moved_include(tmp_path: Path) -> None:
    # Given the factory app scanned, then with lines added above its include calls
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "crud.py").write_text(textwrap.dedent(FACTORY))
    (app / "settings.py").write_text(textwrap.dedent(SETTINGS))
    (app / "main.py").write_text(textwrap.dedent(MAIN))
    before = scan([tmp_path], root=tmp_path).findings
    (app / "main.py").write_text("# moved\n\n\n" + textwrap.dedent(MAIN))
    # When it is scanned again
    after = scan([tmp_path], root=tmp_path).findings
    # Then the factory's findings keep their fingerprints
    assert before and sorted(f.fingerprint for f in before) == sorted(f.fingerprint for f in after)
