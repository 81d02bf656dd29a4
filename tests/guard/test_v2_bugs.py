"""Issue 13's bugs, one test each: every mistake fails early with a message that says what to do."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Body, FastAPI
from guard_helpers import MakeTable
from pydantic import BaseModel

from dynaguard.guard import (
    AsyncOwnedTable,
    Attr,
    Conflict,
    DuplicateItem,
    NotFound,
    OutcomeUnknown,
    OwnedTable,
)
from dynaguard.guard.fastapi import (
    BadIfMatch,
    PreconditionFailed,
    PreconditionRequired,
    install_error_handlers,
    parse_if_match,
)
from dynaguard.guard.models import changes, input_model

KEY = {"item_id": "a1"}


def test_a_bare_string_for_server_fields_is_refused(make_table: MakeTable) -> None:
    with pytest.raises(TypeError, match=r"server_fields must be a tuple .* \('created_at',\)"):
        OwnedTable(make_table(), key=("item_id",), owner="owner_id", server_fields="created_at")


def test_a_bare_string_for_exclude_is_refused() -> None:
    class Doc(BaseModel):
        x: str
        title: str

    with pytest.raises(TypeError, match=r"exclude must be a tuple .* \('x',\)"):
        input_model(Doc, exclude="x")


class Color(enum.Enum):
    RED = "red"


class Doc(BaseModel):
    title: str
    due: dt.date | None = None
    at: dt.datetime | None = None
    ref: uuid.UUID | None = None
    color: Color | None = None
    price: float | None = None
    note: str | None = None  # explicitly nullable: null is a value here


DocPatch: Any = input_model(Doc, exclude=(), partial=True, name="DocPatch")


def test_partial_models_are_optional_not_nullable() -> None:
    with pytest.raises(ValueError, match="title"):
        DocPatch(title=None)
    assert changes(DocPatch(note=None)) == {"note": None}  # the field allowed None itself
    assert changes(DocPatch()) == {}


def test_changes_converts_values_boto3_refuses(owned: OwnedTable) -> None:
    ref = uuid.UUID("12345678-1234-5678-1234-567812345678")
    at = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    body = DocPatch(due=dt.date(2024, 1, 2), at=at, ref=ref, color=Color.RED, price=0.1)
    sent = changes(body)
    assert sent == {
        "due": "2024-01-02",
        "at": "2024-05-06T07:08:09+00:00",
        "ref": "12345678-1234-5678-1234-567812345678",
        "color": "red",
        "price": Decimal("0.1"),
    }
    owned.create({**KEY, "title": "t"}, owner="alice")
    stored = owned.update(KEY, sent, owner="alice")  # no TypeError from boto3
    assert Doc.model_validate(stored).ref == ref  # and the model reads them back


def test_update_with_nothing_to_change_writes_nothing(
    owned: OwnedTable, requests_sent: Any
) -> None:
    owned.create({**KEY, "title": "t"}, owner="alice")
    requests_sent.ops.clear()
    assert owned.update(KEY, {}, owner="alice")["version"] == 1
    assert owned.update(KEY, owner="alice", expected_version=1)["version"] == 1
    assert requests_sent.ops == ["GetItem", "GetItem"]  # one read each, no write
    with pytest.raises(Conflict) as stale:
        owned.update(KEY, {}, owner="alice", expected_version=7)
    assert stale.value.current_version == 1
    with pytest.raises(NotFound):
        owned.update(KEY, {}, owner="bob")


def test_the_same_item_twice_in_a_transaction_is_a_clear_error(owned: OwnedTable) -> None:
    tx = owned.transaction()
    tx.update(KEY, {"n": 1}, owner="alice")
    with pytest.raises(DuplicateItem, match="appears twice in one transaction"):
        tx.update(KEY, {"m": 1}, owner="alice")


def test_create_and_get_return_the_same_types(owned: OwnedTable) -> None:
    created = owned.create({**KEY, "n": 3, "ratio": 0.5, "tags": ("a",)}, owner="alice")
    read = owned.get(KEY, owner="alice")
    assert created == read
    assert {k: type(v) for k, v in created.items()} == {k: type(v) for k, v in read.items()}
    assert isinstance(created["n"], Decimal) and created["version"] == 1


async def test_mixing_sync_and_async_fails_at_construction(
    make_table: MakeTable, async_table: Any, ddb_client: Any
) -> None:
    sync_table = make_table()
    args: dict[str, Any] = {"key": ("item_id",), "owner": "owner_id"}
    with pytest.raises(TypeError, match=r"got an aioboto3 Table: use AsyncOwnedTable"):
        OwnedTable(async_table, **args)
    with pytest.raises(TypeError, match=r"got a boto3 Table: use OwnedTable"):
        AsyncOwnedTable(sync_table, **args)
    with pytest.raises(TypeError, match="not a client"):
        OwnedTable(ddb_client, **args)


async def test_an_unawaited_aioboto3_table_fails_at_construction(dynamo: Any) -> None:
    pending = dynamo.Table("anything")  # forgot `await`
    with pytest.raises(TypeError, match=r"await resource.Table\(name\)"):
        AsyncOwnedTable(pending, key=("item_id",), owner="owner_id")


@pytest.mark.parametrize(
    ("header", "error", "words"),
    [
        ("1", BadIfMatch, "quoted ETags"),
        ("v1", BadIfMatch, "quoted ETags"),
        ('W/"v1"', BadIfMatch, "weak ETag"),
        ('"v1", W/"v2"', BadIfMatch, "weak ETag"),
        ('"v1" "v2"', BadIfMatch, "comma-separated"),
        ('"v1", *', BadIfMatch, "quoted ETags"),
        ('"1"', PreconditionFailed, "changed"),
        ('"other"', PreconditionFailed, "changed"),
        ("", PreconditionRequired, "If-Match"),
    ],
)
def test_if_match_errors_say_what_is_wrong(header: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parse_if_match(header)


def test_if_match_lists_are_honoured() -> None:
    assert parse_if_match('"v2"') == 2
    assert parse_if_match('"v3", "v1"') == (1, 3)
    assert parse_if_match('"x", "v4"') == 4  # tags we never issued match nothing
    assert parse_if_match("*") is None


def _app(owned: OwnedTable) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.patch("/items/{item_id}")
    def patch(item_id: str, body: Annotated[dict[str, Any], Body()], if_match: str) -> Any:
        expected = parse_if_match(if_match)
        return owned.update({"item_id": item_id}, body, owner="alice", expected_version=expected)

    @app.patch("/docs/{item_id}")
    def patch_doc(item_id: str, body: DocPatch) -> Any:
        return owned.update({"item_id": item_id}, changes(body), owner="alice")

    @app.post("/items/{item_id}/spend")
    def spend(item_id: str) -> Any:
        key = {"item_id": item_id}
        return owned.update(key, add={"n": -5}, when=Attr("n").gte(5), owner="alice")

    @app.post("/items/{item_id}/spend-in-transaction")
    def spend_in_transaction(item_id: str) -> None:
        with owned.transaction() as tx:
            tx.update({"item_id": item_id}, add={"n": -5}, when=Attr("n").gte(5), owner="alice")

    @app.delete("/unknown")
    def unknown() -> None:
        raise OutcomeUnknown("delete")

    @app.get("/boom")
    def boom() -> None:
        raise KeyError("a bug, not AWS")

    return app


async def test_http_if_match_lists_malformed_tags_and_non_aws_errors(owned: OwnedTable) -> None:
    owned.create({**KEY, "title": "t"}, owner="alice")
    owned.update(KEY, {"title": "u"}, owner="alice")  # version 2
    transport = httpx.ASGITransport(app=_app(owned), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        listed = await api.patch("/items/a1?if_match=%22v1%22,%20%22v2%22", json={"n": 1})
        assert (listed.status_code, listed.json()["version"]) == (200, 3)
        weak = await api.patch('/items/a1?if_match=W/"v3"', json={"n": 2})
        assert weak.status_code == 400
        assert weak.json()["detail"] == "Malformed If-Match"
        assert "weak" in weak.json()["reason"]
        null = await api.patch("/docs/a1", json={"title": None})
        assert null.status_code == 422  # optional, not nullable: NULL is never stored
        fine = await api.patch("/docs/a1", json={"note": None, "price": 1.5})
        assert (fine.status_code, fine.json()["title"]) == (200, "u")
        assert float(fine.json()["price"]) == 1.5
        spent = await api.post("/items/a1/spend")  # n is 1: the condition fails
        assert (spent.status_code, spent.json()["detail"]) == (
            409,
            "Conflict: the item is not in the state this change requires",
        )
        in_tx = await api.post("/items/a1/spend-in-transaction")
        assert (in_tx.status_code, in_tx.json()) == (409, spent.json())
        lost = await api.delete("/unknown")
        assert lost.status_code == 503
        assert lost.json()["detail"].startswith("The outcome is unknown")
        assert lost.json()["correlation_id"] == lost.headers["x-correlation-id"]
        boom = await api.get("/boom")
    assert boom.status_code == 500
    assert boom.headers["content-type"] == "application/json"
    assert boom.json()["detail"] == "Internal error"
    assert boom.json()["correlation_id"] == boom.headers["x-correlation-id"]
    assert "a bug" not in boom.text
