"""OwnedTable (sync): each operation against the embedded DynamoDB server, exact outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from guard_helpers import MakeTable, raw_item

from dynaguard.guard import Conflict, NotFound, OwnedTable, ServerFieldError

KEY = {"item_id": "a1"}


def test_create_sets_owner_and_version_server_side(owned: OwnedTable) -> None:
    item = owned.create({"item_id": "a1", "data": "x"}, owner="alice")
    assert item == {"item_id": "a1", "data": "x", "owner_id": "alice", "version": 1}
    assert owned.get(KEY, owner="alice") == item


def test_create_is_create_only(owned: OwnedTable) -> None:
    owned.create({"item_id": "a1", "data": "x"}, owner="alice")
    with pytest.raises(Conflict) as mine:
        owned.create({"item_id": "a1", "data": "y"}, owner="alice")
    assert mine.value.current_version == 1
    with pytest.raises(Conflict) as theirs:
        owned.create({"item_id": "a1", "data": "z"}, owner="bob")
    # Someone else's item: the conflict says nothing about it.
    assert (theirs.value.current_version, theirs.value.current) == (None, None)
    assert owned.get(KEY, owner="alice")["data"] == "x"


def test_get_missing_and_foreign_are_the_same_not_found(owned: OwnedTable) -> None:
    owned.create({"item_id": "a1"}, owner="alice")
    with pytest.raises(NotFound) as foreign:
        owned.get(KEY, owner="bob")
    with pytest.raises(NotFound) as missing:
        owned.get({"item_id": "nope"}, owner="bob")
    assert str(foreign.value) == str(missing.value) == "item not found"


def test_update_checks_owner_and_version_and_bumps_version(owned: OwnedTable) -> None:
    owned.create({"item_id": "a1", "data": "x"}, owner="alice")
    item = owned.update(KEY, {"data": "y"}, owner="alice", expected_version=1)
    assert item == {"item_id": "a1", "data": "y", "owner_id": "alice", "version": 2}
    with pytest.raises(Conflict) as stale:
        owned.update(KEY, {"data": "z"}, owner="alice", expected_version=1)
    assert stale.value.current_version == 2
    assert stale.value.current == item
    with pytest.raises(NotFound):
        owned.update(KEY, {"data": "z"}, owner="bob", expected_version=2)
    with pytest.raises(NotFound):
        owned.update({"item_id": "nope"}, {"data": "z"}, owner="alice")
    assert owned.get(KEY, owner="alice") == item


def test_update_without_expected_version_never_resets_it(owned: OwnedTable) -> None:
    owned.create({"item_id": "a1"}, owner="alice")
    for expected in (2, 3, 4):
        assert owned.update(KEY, {"n": expected}, owner="alice")["version"] == expected


def test_update_of_an_item_without_version_starts_counting(owned: OwnedTable) -> None:
    table: Any = owned.client  # a legacy item written before the guard was adopted
    table.put_item(TableName=owned.spec.table_name, Item={"item_id": "a1", "owner_id": "alice"})
    assert owned.update(KEY, {"data": "y"}, owner="alice")["version"] == 1


def test_update_does_not_create_missing_items(make_table: MakeTable) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    with pytest.raises(NotFound):
        owned.update(KEY, {"data": "y"}, owner="alice")
    assert raw_item(table, KEY) is None


def test_delete_checks_owner_and_version(make_table: MakeTable) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    owned.create({"item_id": "a1"}, owner="alice")
    with pytest.raises(NotFound):
        owned.delete(KEY, owner="bob")
    with pytest.raises(Conflict) as stale:
        owned.delete(KEY, owner="alice", expected_version=7)
    assert stale.value.current_version == 1
    assert raw_item(table, KEY) is not None
    owned.delete(KEY, owner="alice", expected_version=1)
    assert raw_item(table, KEY) is None
    with pytest.raises(NotFound):
        owned.delete(KEY, owner="alice")


def test_transfer_moves_ownership_conditionally(owned: OwnedTable) -> None:
    owned.create({"item_id": "a1", "data": "x"}, owner="alice")
    with pytest.raises(NotFound):
        owned.transfer(KEY, owner="bob", new_owner="bob")
    with pytest.raises(Conflict):
        owned.transfer(KEY, owner="alice", new_owner="bob", expected_version=5)
    moved = owned.transfer(KEY, owner="alice", new_owner="bob", expected_version=1)
    assert moved == {"item_id": "a1", "data": "x", "owner_id": "bob", "version": 2}
    with pytest.raises(NotFound):
        owned.update(KEY, {"data": "alice was here"}, owner="alice")
    with pytest.raises(NotFound):
        owned.get(KEY, owner="alice")
    assert owned.update(KEY, {"data": "y"}, owner="bob")["data"] == "y"


def test_returned_items_hide_the_write_token(make_table: MakeTable) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    owned.create({"item_id": "a1"}, owner="alice")
    stored = raw_item(table, KEY)
    assert stored is not None and set(stored) == {"item_id", "owner_id", "version", "_guard_token"}
    assert "_guard_token" not in owned.get(KEY, owner="alice")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"item_id": "a1", "owner_id": "mallory"}, ("owner_id",)),
        ({"item_id": "a1", "version": 99}, ("version",)),
        ({"item_id": "a1", "_guard_token": "t"}, ("_guard_token",)),
        ({"item_id": "a1", "created_at": "1970", "role": "admin"}, ("created_at", "role")),
    ],
)
def test_create_refuses_server_fields(
    make_table: MakeTable, body: dict[str, Any], fields: tuple[str, ...]
) -> None:
    table = make_table()
    owned = OwnedTable(
        table, key=("item_id",), owner="owner_id", server_fields=("created_at", "role")
    )
    with pytest.raises(ServerFieldError) as err:
        owned.create(body, owner="alice")
    assert err.value.fields == fields
    assert raw_item(table, KEY) is None


@pytest.mark.parametrize(
    "changes",
    [{"item_id": "b2"}, {"owner_id": "mallory"}, {"version": 1}, {"created_at": "x", "n": 1}],
)
def test_update_refuses_server_fields(make_table: MakeTable, changes: dict[str, Any]) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id", server_fields=("created_at",))
    owned.create({"item_id": "a1", "n": 0}, owner="alice", server_values={"created_at": "t0"})
    before = raw_item(table, KEY)
    with pytest.raises(ServerFieldError):
        owned.update(KEY, changes, owner="alice")
    assert raw_item(table, KEY) == before


def test_server_values_set_declared_fields_only(make_table: MakeTable) -> None:
    owned = OwnedTable(make_table(), key=("item_id",), owner="owner_id", server_fields=("at",))
    assert owned.create({"item_id": "a1"}, owner="alice", server_values={"at": "t0"})["at"] == "t0"
    assert owned.update(KEY, {}, owner="alice", server_values={"at": "t1"})["at"] == "t1"
    with pytest.raises(ValueError, match="declared server fields"):
        owned.update(KEY, {}, owner="alice", server_values={"owner_id": "mallory"})


@pytest.mark.parametrize("owner", ["", None, 7])
def test_owner_must_be_a_non_empty_string(owned: OwnedTable, owner: Any) -> None:
    with pytest.raises(ValueError, match="owner must be a non-empty string"):
        owned.get(KEY, owner=owner)
    with pytest.raises(ValueError, match="owner must be a non-empty string"):
        owned.update(KEY, {"data": 1}, owner=owner)


@pytest.mark.parametrize(
    "key",
    [{}, {"item_id": "a1", "extra": 1}, {"other": "a1"}, {"item_id": ""}, {"item_id": b""}],
)
def test_keys_must_be_exactly_the_table_key(owned: OwnedTable, key: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="key"):
        owned.get(key, owner="alice")


def test_bad_table_declarations_are_refused(make_table: MakeTable) -> None:
    table = make_table()
    with pytest.raises(
        TypeError, match=r"key must be a tuple of attribute names, e.g. \('item_id',\)"
    ):
        OwnedTable(table, key="item_id", owner="owner_id")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tuple of one or two"):
        OwnedTable(table, key=("a", "b", "c"), owner="owner_id")
    with pytest.raises(ValueError, match="distinct"):
        OwnedTable(table, key=("item_id",), owner="owner_id", version="item_id")


def test_one_request_per_operation(owned: OwnedTable, requests_sent: Any) -> None:
    owned.create({"item_id": "a1"}, owner="alice")
    owned.get(KEY, owner="alice")
    owned.update(KEY, {"data": "y"}, owner="alice", expected_version=1)
    owned.transfer(KEY, owner="alice", new_owner="bob")
    with pytest.raises(Conflict):  # the failure is explained without a second read
        owned.update(KEY, {"data": "z"}, owner="bob", expected_version=1)
    owned.delete(KEY, owner="bob")
    assert requests_sent.ops == [
        "PutItem",
        "GetItem",
        "UpdateItem",
        "UpdateItem",
        "UpdateItem",
        "DeleteItem",
    ]
