"""Sync/async parity: the same script on OwnedTable and AsyncOwnedTable, the same outcomes.

Each step's outcome is its returned value or its exception (type, current version, fields),
so any difference in planning, retries or answer interpretation between the two shows here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from guard_helpers import OWNER_INDEX, MakeTable

from dynaguard.guard import AsyncOwnedTable, OwnedTable, Page

Step = tuple[str, Callable[[Any], Any]]


def _tx_ok(t: Any) -> Any:
    tx = t.transaction(token="parity-token")
    tx.update({"item_id": "a2"}, {"n": 1}, owner="alice", expected_version=1, label="bump")
    tx.create({"item_id": "a3"}, owner="alice", label="new")
    return tx.commit()


def _tx_cancelled(t: Any) -> Any:
    tx = t.transaction()
    tx.delete({"item_id": "a3"}, owner="alice", label="fine")
    tx.update({"item_id": "a2"}, {"n": 2}, owner="alice", expected_version=1, label="stale")
    tx.check({"item_id": "zz"}, owner="alice", label="missing")
    return tx.commit()


STEPS: list[Step] = [
    ("create", lambda t: t.create({"item_id": "a1", "data": "x"}, owner="alice")),
    ("create taken", lambda t: t.create({"item_id": "a1"}, owner="bob")),
    ("create mine again", lambda t: t.create({"item_id": "a1"}, owner="alice")),
    ("get foreign", lambda t: t.get({"item_id": "a1"}, owner="bob")),
    (
        "update",
        lambda t: t.update({"item_id": "a1"}, {"data": "y"}, owner="alice", expected_version=1),
    ),
    (
        "update stale",
        lambda t: t.update({"item_id": "a1"}, {"data": "z"}, owner="alice", expected_version=1),
    ),
    (
        "update server field",
        lambda t: t.update({"item_id": "a1"}, {"owner_id": "m"}, owner="alice"),
    ),
    (
        "update decimal version",
        lambda t: t.update(
            {"item_id": "a1"}, {"status": "s"}, owner="alice", expected_version=Decimal(2)
        ),
    ),
    ("update missing", lambda t: t.update({"item_id": "nope"}, {"n": 1}, owner="alice")),
    ("bad key", lambda t: t.get({"item_id": ""}, owner="alice")),
    (
        "transfer",
        lambda t: t.transfer({"item_id": "a1"}, owner="alice", new_owner="bob", expected_version=3),
    ),
    ("delete foreign", lambda t: t.delete({"item_id": "a1"}, owner="alice")),
    ("delete stale", lambda t: t.delete({"item_id": "a1"}, owner="bob", expected_version=1)),
    ("create a2", lambda t: t.create({"item_id": "a2"}, owner="alice")),
    ("transaction", _tx_ok),
    ("transaction cancelled", _tx_cancelled),
    ("list", lambda t: t.list(owner="bob", index=OWNER_INDEX)),
    ("list bad cursor", lambda t: t.list(owner="bob", index=OWNER_INDEX, cursor="x!")),
    ("delete", lambda t: t.delete({"item_id": "a1"}, owner="bob", expected_version=4)),
    ("get deleted", lambda t: t.get({"item_id": "a1"}, owner="bob")),
]


def _outcome_of_error(exc: Exception) -> tuple[object, ...]:
    reasons = getattr(exc, "reasons", ())
    return (
        type(exc).__name__,
        getattr(exc, "current_version", None),
        getattr(exc, "fields", None),
        tuple((r.label, r.code, type(r.error).__name__) for r in reasons),
    )


async def _run(table: Any) -> list[tuple[str, object]]:
    outcomes: list[tuple[str, object]] = []
    for name, step in STEPS:
        try:
            value = step(table)
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:
            outcomes.append((name, _outcome_of_error(exc)))
            continue
        if isinstance(value, Page):
            value = value.items
        if isinstance(value, tuple):  # transaction results
            value = [(r.label, r.kind, r.key) for r in value]
        outcomes.append((name, value))
    return outcomes


async def test_sync_and_async_tables_behave_the_same(
    make_table: MakeTable, async_table: Any
) -> None:
    # Given the same script, When run on the sync and the async table, Then same outcomes.
    sync = await _run(OwnedTable(make_table(), key=("item_id",), owner="owner_id"))
    aio = await _run(AsyncOwnedTable(async_table, key=("item_id",), owner="owner_id"))
    assert sync == aio
    # And the outcomes are the contract's, not merely equal.
    got = dict(sync)
    assert got["create taken"] == ("Conflict", None, None, ())
    assert got["create mine again"] == ("Conflict", 1, None, ())
    assert got["get foreign"] == got["update missing"] == ("NotFound", None, None, ())
    assert got["update stale"] == ("Conflict", 2, None, ())
    assert got["update server field"] == ("ServerFieldError", None, ("owner_id",), ())
    assert got["update decimal version"] == {
        "item_id": "a1",
        "data": "y",
        "status": "s",
        "owner_id": "alice",
        "version": 3,
    }
    assert got["bad key"][0] == "ValueError"
    assert got["delete foreign"] == ("NotFound", None, None, ())
    assert got["delete stale"] == ("Conflict", 4, None, ())
    assert got["transaction"] == [
        ("bump", "update", {"item_id": "a2"}),
        ("new", "create", {"item_id": "a3"}),
    ]
    assert got["transaction cancelled"][3] == (
        ("fine", "None", "NoneType"),
        ("stale", "ConditionalCheckFailed", "Conflict"),
        ("missing", "ConditionalCheckFailed", "NotFound"),
    )
    assert [i["item_id"] for i in got["list"]] == ["a1"]  # type: ignore[attr-defined]
    assert got["list bad cursor"][0] == "InvalidCursor"
    assert got["delete"] is None
    assert got["get deleted"] == ("NotFound", None, None, ())
