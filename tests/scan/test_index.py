"""The index's facts, as the rules see them: routes, auth, parameters, handles, provenance."""

from __future__ import annotations

import ast
import itertools
import textwrap

from dynaguard.core.config import Config
from dynaguard.scan.flow import condition, key_value
from dynaguard.scan.index import Project
from dynaguard.scan.model import HandleKind, ParamSource
from dynaguard.scan.provenance import Origin


def project(config: Config | None = None, **modules: str) -> Project:
    p = Project(config or Config())
    for name, text in modules.items():
        dotted = name.replace("__", ".")
        p.add_module(dotted, dotted.replace(".", "/") + ".py", ast.parse(textwrap.dedent(text)))
    p.link()
    return p


ROUTERS = """
import jwt
from typing import Annotated
from fastapi import APIRouter, Body, Depends, FastAPI, Header, Request, Security
from fastapi.security import HTTPBearer, OAuth2PasswordBearer
from pydantic import BaseModel

bearer = HTTPBearer()
oauth2 = OAuth2PasswordBearer(tokenUrl="t")

def decode(token: str = Depends(oauth2)) -> dict:
    return jwt.decode(token, "k", algorithms=["HS256"])

def who(creds = Security(bearer)) -> dict:
    return jwt.decode(creds.credentials, "k", algorithms=["HS256"])

def pagination(limit: int = 10) -> int:
    return limit

Principal = Annotated[dict, Depends(decode)]

class ItemIn(BaseModel):
    name: str

items = APIRouter(prefix="/items", dependencies=[Depends(who)])
open_router = APIRouter()

@items.get("/{item_id}")
def read(item_id: str, q: str, x_tenant: str = Header(), page: int = Depends(pagination)):
    return None

@items.api_route("/{item_id}", methods=["PUT", "PATCH"])
def write(item_id: str, body: ItemIn, user: Principal, note: str = Body()):
    return None

async def raw(request: Request):
    return await request.json()

open_router.add_api_route("/raw", raw, methods=["POST"])

app = FastAPI()
app.include_router(items, prefix="/v1")
app.include_router(open_router, prefix="/pub")
"""


def test_routes_full_paths_methods_and_parameter_sources() -> None:
    p = project(api=ROUTERS)
    labels = {r.function.split(":")[1]: r.labels for r in p.routes}
    assert labels == {
        "read": ["GET /v1/items/{item_id}"],
        "write": ["PUT /v1/items/{item_id}", "PATCH /v1/items/{item_id}"],
        "raw": ["POST /pub/raw"],
    }
    read = next(r for r in p.routes if r.function == "api:read")
    assert [(x.name, x.source) for x in read.params] == [
        ("item_id", ParamSource.PATH),
        ("q", ParamSource.QUERY),
        ("x_tenant", ParamSource.HEADER),
        ("page", ParamSource.DEPENDENCY),
    ]
    write = next(r for r in p.routes if r.function == "api:write")
    assert [(x.name, x.source, x.model) for x in write.params] == [
        ("item_id", ParamSource.PATH, None),
        ("body", ParamSource.BODY, "api:ItemIn"),
        ("user", ParamSource.PRINCIPAL, None),
        ("note", ParamSource.BODY, None),
    ]
    raw = next(r for r in p.routes if r.function == "api:raw")
    assert [(x.name, x.source) for x in raw.params] == [("request", ParamSource.REQUEST)]


def test_authentication_at_router_level_and_principal_aliases() -> None:
    p = project(api=ROUTERS)
    auth = {r.function: (r.authenticated, r.auth_evidence) for r in p.routes}
    assert auth == {
        "api:read": (True, "router dependency who"),
        "api:write": (True, "router dependency who"),
        "api:raw": (False, None),
    }
    assert p.app_has_auth


def test_configured_auth_dependency_and_middleware_auth() -> None:
    src = """
    from fastapi import Depends, FastAPI
    from starlette.middleware.base import BaseHTTPMiddleware

    def load_caller() -> dict:
        return {}

    app = FastAPI()

    @app.get("/a")
    def a(caller: dict = Depends(load_caller)):
        return caller
    """
    plain = project(m=src)
    assert [x.source for x in plain.routes[0].params] == [ParamSource.DEPENDENCY]
    configured = project(Config(auth_dependencies=("load_caller",)), m=src)
    assert [x.source for x in configured.routes[0].params] == [ParamSource.PRINCIPAL]

    check = """
    import jwt

    class TokenCheck(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):
            token = request.headers.get("authorization", "")
            request.state.user = jwt.decode(token, "k", algorithms=["HS256"])
            return await call_next(request)

    app.add_middleware(TokenCheck)
    """
    middleware = project(m=src + check)
    assert [(m.function, m.is_auth) for m in middleware.middlewares] == [
        ("m:TokenCheck.dispatch", True),
        ("m:TokenCheck.dispatch", True),
    ]
    assert middleware.routes[0].auth_evidence == "authentication middleware"
    # a middleware that only tests that the header is there verifies nothing
    presence = check.replace(
        'request.state.user = jwt.decode(token, "k", algorithms=["HS256"])',
        "assert token",
    )
    assert not any(m.is_auth for m in project(m=src + presence).middlewares)


HANDLES = """
import aioboto3
import boto3
from aiobotocore.session import get_session
from pynamodb.models import Model

resource = boto3.resource("dynamodb")
table = resource.Table("items")
client = boto3.client("dynamodb")
session = aioboto3.Session()

class Item(Model):
    class Meta:
        table_name = "items"

def sync_calls():
    table.put_item(Item={})
    client.put_item(TableName="items", Item={})
    table.meta.client.transact_write_items(TransactItems=[])
    with table.batch_writer() as batch:
        batch.put_item(Item={})
    Item.get("k").save()
    Item.query("h")

async def async_calls(t):
    async with session.resource("dynamodb") as r:
        tt = await r.Table("orders")
        await tt.get_item(Key={})
    async with get_session().create_client("dynamodb") as c:
        await c.delete_item(TableName="x", Key={})
    await t.update_item(Key={})
"""


def test_dynamodb_calls_in_every_style() -> None:
    p = project(h=HANDLES)
    got = [
        (c.method, c.operation, c.handle.kind, c.handle.table, c.handle.async_capable, c.awaited)
        for c in p.calls
    ]
    assert got == [
        ("put_item", "put_item", HandleKind.TABLE, "items", False, False),
        ("put_item", "put_item", HandleKind.CLIENT, None, False, False),
        ("transact_write_items", "transact_write_items", HandleKind.CLIENT, "items", False, False),
        ("put_item", "batch_writer.put_item", HandleKind.BATCH_WRITER, "items", False, False),
        ("save", "put_item", HandleKind.PYNAMODB_ITEM, "h:Item", False, False),
        ("get", "get_item", HandleKind.PYNAMODB_MODEL, "h:Item", False, False),
        ("query", "query", HandleKind.PYNAMODB_MODEL, "h:Item", False, False),
        ("get_item", "get_item", HandleKind.TABLE, "orders", True, True),
        ("delete_item", "delete_item", HandleKind.CLIENT, None, True, True),
        ("update_item", "update_item", HandleKind.UNKNOWN, None, False, True),
    ]


SERVICE = {
    "app__db": """
        import boto3

        class Repo:
            def __init__(self):
                self.table = boto3.resource("dynamodb").Table("notes")

            def update(self, note_id, text, condition=None):
                kwargs = {"Key": {"pk": note_id}, "UpdateExpression": "SET t = :t",
                          "ExpressionAttributeValues": {":t": text}}
                if condition:
                    kwargs["ConditionExpression"] = condition
                return self.table.update_item(**kwargs)
    """,
    "app__service": """
        from .db import Repo

        class NoteService:
            def __init__(self):
                self.repo = Repo()

            def edit(self, user, note_id, text):
                return self.repo.update(f"USER#{user['id']}#{note_id}", text)

            def edit_checked(self, note_id, text):
                return self.repo.update(note_id, text, condition="attribute_exists(pk)")
    """,
    "app__main": """
        import asyncio, jwt
        from fastapi import Depends, FastAPI, Header
        from .service import NoteService

        app = FastAPI()
        service = NoteService()

        def get_current_user(authorization: str = Header()):
            return jwt.decode(authorization, "k", algorithms=["HS256"])

        @app.put("/notes/{note_id}")
        def edit(note_id: str, text: str, user=Depends(get_current_user)):
            return service.edit(user, note_id, text)

        @app.put("/admin/notes/{note_id}")
        async def admin_edit(note_id: str, text: str):
            return await asyncio.to_thread(service.edit_checked, note_id, text)
    """,
}


def test_provenance_follows_services_repositories_and_callers() -> None:
    p = project(**SERVICE)
    (call,) = p.calls
    sites = {s.route.label if s.route else None: s for s in p.sites(call)}
    assert set(sites) == {"PUT /notes/{note_id}", "PUT /admin/notes/{note_id}"}
    edit = sites["PUT /notes/{note_id}"]
    key = key_value(p, call, edit.frame)
    assert key is not None
    assert key.origins() == {Origin.PRINCIPAL, Origin.PATH, Origin.CONSTANT}
    assert [f.name for f in edit.frame.chain()] == ["edit", "edit", "update"]
    assert condition(p, call, edit.frame) is None
    # through asyncio.to_thread the wrapper is still reached, its arguments bound
    admin = sites["PUT /admin/notes/{note_id}"]
    assert condition(p, call, admin.frame) is not None
    admin_key = key_value(p, call, admin.frame)
    assert admin_key is not None and admin_key.origins() == {Origin.PATH}
    assert [f.name for f in admin.frame.chain()] == ["admin_edit", "edit_checked", "update"]
    offloaded = [c for c in p.callsites["app.main:admin_edit"] if c.offloaded]
    assert [c.callee for c in offloaded] == ["app.service:NoteService.edit_checked"]


def test_static_expression_text_for_reserved_word_checks() -> None:
    p = project(
        m="""
        import boto3
        t = boto3.resource("dynamodb").Table("x")
        FIELD = "status"
        def f(v):
            t.update_item(Key={"id": "1"}, UpdateExpression="SET " + FIELD + " = :v",
                          ExpressionAttributeValues={":v": v})
        """
    )
    (call,) = p.calls
    (site,) = p.sites(call)
    assert p.values.text(call.args["UpdateExpression"], site.frame) == "SET status = :v"


def test_dependencies_at_app_and_include_level() -> None:
    p = project(
        m="""
        import jwt
        from fastapi import APIRouter, Depends, FastAPI, Header

        def verify_token(authorization: str = Header()):
            return jwt.decode(authorization, "k", algorithms=["HS256"])

        def audit():
            return None

        app = FastAPI(dependencies=[Depends(audit)])
        secured = APIRouter()
        public = APIRouter()

        @secured.get("/a")
        def a():
            return 1

        @public.get("/b")
        def b():
            return 2

        app.include_router(secured, prefix="/s", dependencies=[Depends(verify_token)])
        app.include_router(public, prefix="/p")
        """
    )
    got = {
        r.label: ([(d.name, d.level) for d in r.all_dependencies], r.authenticated)
        for r in p.routes
    }
    assert got == {
        "GET /s/a": ([("audit", "app"), ("verify_token", "include")], True),
        "GET /p/b": ([("audit", "app")], False),
    }


def test_reads_are_known_to_provenance_even_when_table_names_are_computed() -> None:
    # Regression: a table name that needs provenance made the read cache stale.
    p = project(
        settings="""
        import os
        PREFIX = os.environ.get("PREFIX", "dev")
        """,
        m="""
        import boto3, jwt
        from fastapi import Depends, FastAPI, Header, HTTPException
        from settings import PREFIX

        app = FastAPI()
        table = boto3.resource("dynamodb").Table(f"{PREFIX}-projects")

        def get_current_user(authorization: str = Header()) -> str:
            return jwt.decode(authorization, "k", algorithms=["HS256"])["sub"]

        @app.get("/projects/{pid}")
        def read(pid: str, user: str = Depends(get_current_user)):
            item = table.get_item(Key={"id": pid}).get("Item")
            if item is None or item["owner_id"] != user:
                raise HTTPException(404)
            return item
        """,
    )
    from dynaguard.scan.flow import events

    (route,) = p.routes
    got = [(e.kind, e.attrs, e.principal) for e in events(p, route)]
    assert got == [("read", frozenset(), False), ("check", frozenset({"owner_id"}), True)]


def test_long_lived_aioboto3_wrapper() -> None:
    p = project(
        m="""
        import aioboto3

        class Dynamo:
            def __init__(self):
                self.session = aioboto3.Session()
                self.resource = None

            async def start(self):
                self._ctx = self.session.resource("dynamodb")
                self.resource = await self._ctx.__aenter__()

            async def orders(self):
                return await self.resource.Table("orders")

        dynamo = Dynamo()

        async def close(order_id):
            table = await dynamo.orders()
            await table.update_item(Key={"id": order_id})
        """
    )
    assert [
        (c.operation, c.handle.kind, c.handle.table, c.handle.async_capable) for c in p.calls
    ] == [("update_item", HandleKind.TABLE, "orders", True)]


def test_routers_included_at_any_depth_keep_every_prefix_and_dependency() -> None:
    # Given a router included eight levels below an authenticated one (the old bound: six)
    levels = [f"r{i}" for i in range(9)]
    lines = [
        "import jwt",
        "from fastapi import APIRouter, Depends, FastAPI, Header",
        "def who(authorization: str = Header()) -> str:",
        "    return jwt.decode(authorization, 'k', algorithms=['HS256'])['sub']",
        "app = FastAPI()",
        "r0 = APIRouter(prefix='/r0', dependencies=[Depends(who)])",
        *(f"{r} = APIRouter(prefix='/{r}')" for r in levels[1:]),
        "@r8.get('/x')",
        "def leaf() -> dict:",
        "    return {}",
        *(f"{a}.include_router({b})" for a, b in itertools.pairwise(levels)),
        # an include cycle stops the walk, and adds no path
        "r8.include_router(r7)",
        "app.include_router(r0)",
    ]
    # When it is indexed
    p = project(api="\n".join(lines))
    # Then the route carries the whole prefix and the top router's authentication
    (route,) = p.routes
    assert route.label == "GET /r0/r1/r2/r3/r4/r5/r6/r7/r8/x"
    assert (route.authenticated, route.auth_evidence) == (True, "router dependency who")


def test_a_mounted_sub_app_gets_the_mount_prefix_but_not_the_parent_apps_dependencies() -> None:
    # Given a sub-application mounted under /api/v1 of an app whose own dependency
    # authenticates (FastAPI's dependencies are per application: they do not reach it)
    p = project(
        api="""
import jwt
from fastapi import Depends, FastAPI, Header
def who(authorization: str = Header()) -> str:
    return jwt.decode(authorization, "k", algorithms=["HS256"])["sub"]
sub = FastAPI()
@sub.delete("/notes/{note_id}")
def remove(note_id: str) -> dict:
    return {}
app = FastAPI(dependencies=[Depends(who)])
@app.get("/me")
def me() -> dict:
    return {}
app.mount("/api/v1", sub)
"""
    )
    # Then the sub-app's route has the mount prefix and no authentication
    routes = {r.label: (r.authenticated, r.auth_evidence) for r in p.routes}
    assert routes == {
        "DELETE /api/v1/notes/{note_id}": (False, None),
        "GET /me": (True, "app dependency who"),
    }


def test_model_fields_nest_to_any_depth_and_stop_at_a_model_that_contains_itself() -> None:
    # Given models nested three deep (the old bound: two) and one that contains itself
    from dynaguard.scan.queries.request_models import model_fields

    p = project(
        api="""
from typing import Optional
from pydantic import BaseModel
class Owner(BaseModel):
    id: str
class Account(BaseModel):
    owner: Owner
class Plan(BaseModel):
    account: Account
class Order(BaseModel):
    plan: Plan
class Node(BaseModel):
    name: str
    parent: Optional["Node"] = None
"""
    )
    # Then every level is named, and the self-reference is expanded no further
    assert model_fields(p, "api:Order") == [
        "plan",
        "plan.account",
        "plan.account.owner",
        "plan.account.owner.id",
    ]
    assert model_fields(p, "api:Node") == ["name", "parent"]
