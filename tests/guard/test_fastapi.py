"""Every error path through a real FastAPI app (httpx ASGITransport): status and fixed body."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Response
from guard_helpers import OWNER_INDEX, MakeTable
from pydantic import BaseModel, ConfigDict, Field

from dynaguard.guard import CancellationReason, OwnedTable, TransactionCancelled
from dynaguard.guard.fastapi import (
    etag,
    install_error_handlers,
    optional_if_match,
    require_if_match,
    set_etag,
)
from dynaguard.guard.models import InputModel, changes, input_model


class Item(BaseModel):
    """The stored shape, server-controlled fields included (frozen, which protects nothing)."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    owner_id: str
    version: int
    title: str
    status: str = "open"
    price: float = 0.0
    role: str = "user"


HISTORY = {"_guard_token", *(f"_guard_token{i}" for i in range(1, 8))}
SERVER_FIELDS = {"item_id", "owner_id", "version", "role", *HISTORY}
# Module level: FastAPI resolves the (postponed) annotations of routes in module globals.
ItemIn: Any = input_model(Item, exclude=SERVER_FIELDS, name="ItemIn")
ItemPatch: Any = input_model(Item, exclude=SERVER_FIELDS, name="ItemPatch", partial=True)


def user(x_user: Annotated[str, Header()]) -> str:
    """Stand-in authentication: the principal is the X-User header."""
    return x_user


User = Annotated[str, Depends(user)]


def build_app(owned: OwnedTable, missing: OwnedTable) -> FastAPI:
    """A small hardened API: the guard does ownership, versions and server fields."""
    assert owned.server_fields == SERVER_FIELDS
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/items/{item_id}", status_code=201)
    def create(item_id: str, body: ItemIn, me: User, response: Response) -> dict[str, Any]:  # type: ignore[valid-type]
        item = owned.create({"item_id": item_id, **changes(body)}, owner=me)
        set_etag(response, item)
        return item

    @app.get("/items/{item_id}")
    def read(item_id: str, me: User, response: Response) -> dict[str, Any]:
        item = owned.get({"item_id": item_id}, owner=me)
        set_etag(response, item)
        return item

    @app.put("/items/{item_id}")
    def replace(
        item_id: str,
        body: ItemIn,  # type: ignore[valid-type]
        me: User,
        expected: Annotated[int | None, Depends(require_if_match)],
        response: Response,
    ) -> dict[str, Any]:
        item = owned.update(
            {"item_id": item_id}, changes(body), owner=me, expected_version=expected
        )
        set_etag(response, item)
        return item

    @app.patch("/items/{item_id}")
    def patch(
        item_id: str,
        body: ItemPatch,  # type: ignore[valid-type]
        me: User,
        expected: Annotated[int | None, Depends(optional_if_match)],
    ) -> dict[str, Any]:
        return owned.update(
            {"item_id": item_id}, changes(body), owner=me, expected_version=expected
        )

    @app.post("/items/{item_id}/raw")
    def raw_update(item_id: str, body: dict[str, Any], me: User) -> dict[str, Any]:
        # No input model at all: the guard still refuses server-controlled fields.
        return owned.update({"item_id": item_id}, body, owner=me)

    @app.delete("/items/{item_id}", status_code=204)
    def delete(
        item_id: str, me: User, expected: Annotated[int | None, Depends(require_if_match)]
    ) -> None:
        owned.delete({"item_id": item_id}, owner=me, expected_version=expected)

    @app.post("/items/{item_id}/give/{to}")
    def give(item_id: str, to: str, me: User) -> dict[str, Any]:
        return owned.transfer({"item_id": item_id}, owner=me, new_owner=to)

    @app.post("/swap/{a}/{b}")
    def swap(a: str, b: str, me: User) -> dict[str, str]:
        with owned.transaction() as tx:
            tx.update({"item_id": a}, {"status": "swapped"}, owner=me, expected_version=1)
            tx.update({"item_id": b}, {"status": "swapped"}, owner=me, expected_version=1)
        return {"status": "ok"}

    @app.get("/items")
    def listing(me: User, cursor: str | None = None) -> dict[str, Any]:
        page = owned.list(owner=me, index=OWNER_INDEX, limit=1, cursor=cursor)
        return {"items": page.items, "cursor": page.cursor}

    @app.post("/cancelled/{code}")
    def cancelled(code: str) -> None:
        # What a commit raises once retries are spent or DynamoDB refuses the request.
        raise TransactionCancelled([CancellationReason(label="x", code=code)])

    @app.get("/broken")
    def broken(me: User) -> dict[str, Any]:
        return missing.get({"item_id": "x"}, owner=me)  # its table does not exist

    return app


@pytest.fixture
async def api(make_table: MakeTable, ddb_resource: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a fresh table, with a1 (alice, v1) and b1 (bob, v1) in it."""
    owned = OwnedTable(make_table(), key=("item_id",), owner="owner_id", server_fields=["role"])
    missing = OwnedTable(ddb_resource.Table("no-such-table"), key=("item_id",), owner="owner_id")
    owned.create({"item_id": "a1", "title": "t"}, owner="alice")
    owned.create({"item_id": "b1", "title": "t"}, owner="bob")
    transport = httpx.ASGITransport(app=build_app(owned, missing))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


ALICE = {"X-User": "alice"}
BOB = {"X-User": "bob"}


async def test_read_exposes_the_version_as_etag(api: httpx.AsyncClient) -> None:
    response = await api.get("/items/a1", headers=ALICE)
    assert response.status_code == 200
    assert response.headers["etag"] == etag(1) == '"v1"'
    assert "_guard_token" not in response.json()


@pytest.mark.parametrize("path", ["/items/b1", "/items/nope"])
async def test_foreign_and_missing_are_the_same_404(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path, headers=ALICE)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found"})


async def test_put_requires_if_match(api: httpx.AsyncClient) -> None:
    response = await api.put("/items/a1", json={"title": "u"}, headers=ALICE)
    assert response.status_code == 428
    assert response.json() == {
        "detail": "Precondition required: send If-Match with the item's ETag"
    }


async def test_put_with_current_etag_then_stale_etag(api: httpx.AsyncClient) -> None:
    ok = await api.put("/items/a1", json={"title": "u"}, headers={**ALICE, "If-Match": '"v1"'})
    assert (ok.status_code, ok.headers["etag"], ok.json()["title"]) == (200, '"v2"', "u")
    stale = await api.put("/items/a1", json={"title": "w"}, headers={**ALICE, "If-Match": '"v1"'})
    assert stale.status_code == 412
    assert stale.json() == {"detail": "Precondition failed: the item was changed"}
    assert stale.headers["etag"] == '"v2"'


@pytest.mark.parametrize("header", ['"1"', '"v"', '"v7", "x"'])
async def test_if_match_that_we_did_not_issue_is_412(api: httpx.AsyncClient, header: str) -> None:
    response = await api.put(
        "/items/a1", json={"title": "u"}, headers={**ALICE, "If-Match": header}
    )
    assert response.status_code == 412


@pytest.mark.parametrize("header", ['W/"v1"', "v1", "1", '"v1" "v2"'])
async def test_malformed_if_match_is_400_saying_why(api: httpx.AsyncClient, header: str) -> None:
    response = await api.put(
        "/items/a1", json={"title": "u"}, headers={**ALICE, "If-Match": header}
    )
    assert (response.status_code, response.json()["detail"]) == (400, "Malformed If-Match")
    assert "ETag" in response.json()["reason"]


async def test_if_match_lists_match_any_of_their_tags(api: httpx.AsyncClient) -> None:
    headers = {**ALICE, "If-Match": '"v9", "v1"'}
    response = await api.put("/items/a1", json={"title": "u"}, headers=headers)
    assert (response.status_code, response.headers["etag"]) == (200, '"v2"')


async def test_if_match_star_skips_the_version_not_the_owner(api: httpx.AsyncClient) -> None:
    mine = await api.put("/items/a1", json={"title": "u"}, headers={**ALICE, "If-Match": "*"})
    assert mine.status_code == 200
    theirs = await api.put("/items/b1", json={"title": "u"}, headers={**ALICE, "If-Match": "*"})
    assert theirs.status_code == 404


async def test_stale_patch_without_if_match_is_409(api: httpx.AsyncClient) -> None:
    ok = await api.patch("/items/a1", json={"title": "p"}, headers=ALICE)
    assert (ok.status_code, ok.json()["version"]) == (200, 2)
    await api.patch("/items/a1", json={"status": "x"}, headers=ALICE)
    # A version the route holds itself (expected_version=1 in /swap) is stale too: 409.
    swap = await api.post("/swap/a1/a2", headers=ALICE)
    assert swap.status_code == 404  # a2 does not exist: the transaction names no conflict
    created = await api.post("/items/a2", json={"title": "t"}, headers=ALICE)
    assert created.status_code == 201
    stale = await api.post("/swap/a1/a2", headers=ALICE)
    assert (stale.status_code, stale.json()) == (
        409,
        {"detail": "Conflict: the item was changed; reload it and retry"},
    )


async def test_create_conflict_is_409(api: httpx.AsyncClient) -> None:
    response = await api.post("/items/b1", json={"title": "t"}, headers=ALICE)
    assert (response.status_code, response.json()["detail"]) == (
        409,
        "Conflict: the item was changed; reload it and retry",
    )
    assert "etag" not in response.headers  # bob's version is none of alice's business


@pytest.mark.parametrize("field", ["owner_id", "version", "role", "item_id", "_guard_token"])
async def test_input_model_refuses_server_fields(api: httpx.AsyncClient, field: str) -> None:
    body = {"title": "t", field: "mallory"}
    response = await api.post("/items/new", json=body, headers=ALICE)
    assert response.status_code == 422  # extra="forbid": never silently dropped
    assert (await api.get("/items/new", headers=ALICE)).status_code == 404


@pytest.mark.parametrize("field", ["owner_id", "version", "role", "item_id"])
async def test_guard_refuses_server_fields_without_a_model(
    api: httpx.AsyncClient, field: str
) -> None:
    response = await api.post("/items/a1/raw", json={field: "mallory"}, headers=ALICE)
    assert response.status_code == 422
    assert response.json() == {"detail": "These fields are set by the server", "fields": [field]}
    item = (await api.get("/items/a1", headers=ALICE)).json()
    assert (item["owner_id"], item["version"], item.get("role")) == ("alice", 1, None)


async def test_delete_needs_if_match_and_ownership(api: httpx.AsyncClient) -> None:
    assert (await api.delete("/items/a1", headers=ALICE)).status_code == 428
    assert (await api.delete("/items/b1", headers={**ALICE, "If-Match": '"v1"'})).status_code == 404
    assert (await api.delete("/items/a1", headers={**ALICE, "If-Match": '"v9"'})).status_code == 412
    assert (await api.delete("/items/a1", headers={**ALICE, "If-Match": '"v1"'})).status_code == 204


async def test_transfer_then_the_old_owner_gets_404(api: httpx.AsyncClient) -> None:
    assert (await api.post("/items/a1/give/bob", headers=ALICE)).status_code == 200
    assert (await api.get("/items/a1", headers=ALICE)).status_code == 404
    assert (await api.post("/items/a1/give/alice", headers=ALICE)).status_code == 404
    assert (await api.get("/items/a1", headers=BOB)).status_code == 200


async def test_bad_cursor_is_400(api: httpx.AsyncClient) -> None:
    response = await api.get("/items", params={"cursor": "garbage!"}, headers=ALICE)
    assert (response.status_code, response.json()) == (400, {"detail": "Invalid cursor"})
    await api.post("/items/a2", json={"title": "t"}, headers=ALICE)
    first = (await api.get("/items", headers=ALICE)).json()
    assert first["cursor"]
    stolen = await api.get("/items", params={"cursor": first["cursor"]}, headers=BOB)
    assert stolen.status_code == 400


async def test_aws_errors_are_a_fixed_500_with_correlation_id(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="dynaguard.guard"):
        response = await api.get("/broken", headers=ALICE)
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"detail", "correlation_id"} and body["detail"] == "Internal error"
    assert response.headers["x-correlation-id"] == body["correlation_id"]
    for leak in ("no-such-table", "ResourceNotFound", "Requested resource", "botocore"):
        assert leak not in response.text
    # The details stay in the server's log, under the same id.
    assert any(body["correlation_id"] in r.getMessage() for r in caplog.records)


def test_input_model_keeps_client_fields_and_types() -> None:
    class Body(InputModel):
        title: str

    with pytest.raises(ValueError, match="extra"):
        Body.model_validate({"title": "t", "owner_id": "x"})
    model: Any = input_model(Item, exclude={"item_id", "owner_id", "version", "role"})
    assert set(model.model_fields) == {"title", "status", "price"}
    # Floats go to DynamoDB as exact Decimals (boto3 refuses floats).
    assert changes(model(title="t", price=1.5)) == {"title": "t", "price": Decimal("1.5")}
    # A frozen model is no protection: model_copy(update=...) skips validation. The guard's
    # own check (ServerFieldError, tested above through /raw) is what stands.
    frozen = Item(item_id="a", owner_id="alice", version=1, title="t")
    assert frozen.model_copy(update={"owner_id": "mallory"}).owner_id == "mallory"


def test_set_etag_takes_int_and_integral_decimal_versions() -> None:
    for version in (3, Decimal(3)):
        response = Response()
        set_etag(response, {"version": version})
        assert response.headers["etag"] == '"v3"'
    untouched = Response()
    set_etag(untouched, {"version": "3"})
    assert "etag" not in untouched.headers


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        ("TransactionConflict", 409, "Conflict: the item was changed; reload it and retry"),
        ("ValidationError", 500, "Internal error"),
        ("ItemCollectionSizeLimitExceeded", 500, "Internal error"),
    ],
)
async def test_cancelled_transactions_map_by_reason(
    api: httpx.AsyncClient, code: str, status: int, detail: str
) -> None:
    response = await api.post(f"/cancelled/{code}")
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert code not in response.text


def test_partial_input_model_keeps_constraints_and_accepts_factories() -> None:
    class Doc(BaseModel):
        doc_id: str
        tags: list[str] = Field(default_factory=list)
        title: str = Field(min_length=1)

    patch: Any = input_model(Doc, exclude={"doc_id"}, partial=True)
    assert changes(patch(tags=["a"])) == {"tags": ["a"]}  # only what was sent
    assert changes(patch()) == {}
    with pytest.raises(ValueError, match="at least 1 character"):
        patch(title="")
    full: Any = input_model(Doc, exclude={"doc_id"})
    assert full(title="t").tags == []  # the caller's default_factory still applies
