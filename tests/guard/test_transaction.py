"""Transactions: guarded items, labelled results and reasons in order, limits before sending."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from guard_helpers import MakeTable, raw_item

from dynaguard.guard import (
    MAX_ITEMS,
    Conflict,
    DuplicateItem,
    NotFound,
    OwnedTable,
    ServerFieldError,
    TransactionCancelled,
    TransactionTooLarge,
)


@pytest.fixture
def seeded(owned: OwnedTable) -> OwnedTable:
    """a1 (alice, v1), a2 (alice, v1), b1 (bob, v1)."""
    owned.create({"item_id": "a1", "n": 1}, owner="alice")
    owned.create({"item_id": "a2", "n": 2}, owner="alice")
    owned.create({"item_id": "b1", "n": 3}, owner="bob")
    return owned


def test_commit_applies_every_item_and_labels_results(
    seeded: OwnedTable, requests_sent: Any
) -> None:
    with seeded.transaction() as tx:
        tx.create({"item_id": "a3", "n": 0}, owner="alice", label="new")
        tx.update({"item_id": "a1"}, {"n": 10}, owner="alice", expected_version=1, label="bump")
        tx.delete({"item_id": "a2"}, owner="alice")
        tx.check({"item_id": "b1"}, owner="bob", expected_version=1)
    assert [(r.label, r.kind) for r in tx.results] == [
        ("new", "create"),
        ("bump", "update"),
        ("delete#2", "delete"),
        ("check#3", "check"),
    ]
    assert tx.results[0].item == {"item_id": "a3", "n": 0, "owner_id": "alice", "version": 1}
    assert seeded.get({"item_id": "a1"}, owner="alice")["version"] == 2
    with pytest.raises(NotFound):
        seeded.get({"item_id": "a2"}, owner="alice")
    assert requests_sent.ops == ["TransactWriteItems", "GetItem", "GetItem"]


def test_cancellation_reasons_follow_the_callers_order(make_table: MakeTable) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    owned.create({"item_id": "a1"}, owner="alice")
    owned.create({"item_id": "b1"}, owner="bob")
    before = (raw_item(table, {"item_id": "a1"}), raw_item(table, {"item_id": "b1"}))
    with pytest.raises(TransactionCancelled) as cancelled, owned.transaction() as tx:
        tx.update({"item_id": "a1"}, {"n": 1}, owner="alice", label="mine")
        tx.update({"item_id": "b1"}, {"n": 1}, owner="alice", label="theirs")
        tx.check({"item_id": "a1x"}, owner="alice", label="missing")
        tx.delete({"item_id": "zz"}, owner="alice", label="ok-or-not")
    reasons = cancelled.value.reasons
    assert [r.label for r in reasons] == ["mine", "theirs", "missing", "ok-or-not"]
    assert isinstance(reasons[1].error, NotFound)
    assert reasons[1].item is None  # another owner's item is never handed back
    # DynamoDB evaluates every condition: the missing delete fails its owner condition too.
    assert [r.label for r in cancelled.value.failed] == ["theirs", "missing", "ok-or-not"]
    assert reasons[0].code == "None" and reasons[0].error is None
    assert (raw_item(table, {"item_id": "a1"}), raw_item(table, {"item_id": "b1"})) == before


def test_stale_version_in_a_transaction_is_a_conflict(seeded: OwnedTable) -> None:
    with pytest.raises(TransactionCancelled) as cancelled, seeded.transaction() as tx:
        tx.update({"item_id": "a1"}, {"n": 5}, owner="alice", expected_version=9, label="stale")
    (reason,) = cancelled.value.failed
    assert reason.label == "stale"
    assert isinstance(reason.error, Conflict) and reason.error.current_version == 1
    assert reason.item is not None and reason.item["n"] == 1


def test_too_many_items_fail_before_sending(seeded: OwnedTable, requests_sent: Any) -> None:
    tx = seeded.transaction()
    for i in range(MAX_ITEMS):
        tx.create({"item_id": f"x{i}"}, owner="alice")
    with pytest.raises(TransactionTooLarge, match="at most 100"):
        tx.create({"item_id": "one-too-many"}, owner="alice")
    assert requests_sent.ops == []


def test_the_same_item_twice_fails_before_sending(seeded: OwnedTable, requests_sent: Any) -> None:
    tx = seeded.transaction()
    tx.update({"item_id": "a1"}, {"n": 1}, owner="alice")
    with pytest.raises(DuplicateItem, match="twice in one transaction: DynamoDB allows one"):
        tx.delete({"item_id": "a1"}, owner="alice")
    assert requests_sent.ops == []


def test_an_exception_in_the_block_sends_nothing(seeded: OwnedTable, requests_sent: Any) -> None:
    with pytest.raises(RuntimeError, match="boom"), seeded.transaction() as tx:
        tx.delete({"item_id": "a1"}, owner="alice")
        raise RuntimeError("boom")
    assert requests_sent.ops == []


def test_server_fields_are_refused_in_transactions_too(seeded: OwnedTable) -> None:
    tx = seeded.transaction()
    with pytest.raises(ServerFieldError):
        tx.update({"item_id": "a1"}, {"owner_id": "mallory"}, owner="alice")
    with pytest.raises(ServerFieldError):
        tx.create({"item_id": "a9", "version": 7}, owner="alice")
    assert len(tx) == 0


def test_client_request_token_is_sent(seeded: OwnedTable, ddb_resource: Any) -> None:
    seen: list[dict[str, Any]] = []
    events = ddb_resource.meta.client.meta.events
    events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: seen.append(dict(params)),
        unique_id="token-spy",
    )
    try:
        with seeded.transaction(token="order-42") as tx:
            tx.update({"item_id": "a1"}, {"n": 1}, owner="alice")
    finally:
        events.unregister(
            "provide-client-params.dynamodb.TransactWriteItems", unique_id="token-spy"
        )
    assert [p["ClientRequestToken"] for p in seen] == ["order-42"]
    with pytest.raises(ValueError, match="1 to 36"):
        seeded.transaction(token="x" * 37)


def test_items_on_two_tables_in_one_transaction(make_table: MakeTable) -> None:
    orders = OwnedTable(make_table(), key=("item_id",), owner="owner_id")
    audit = OwnedTable(make_table(hash_key="event_id"), key=("event_id",), owner="owner_id")
    orders.create({"item_id": "o1", "status": "open"}, owner="alice")
    with orders.transaction() as tx:
        tx.update({"item_id": "o1"}, {"status": "paid"}, owner="alice", expected_version=1)
        tx.create({"event_id": "e1", "what": "paid"}, owner="alice", table=audit)
    assert orders.get({"item_id": "o1"}, owner="alice")["status"] == "paid"
    assert audit.get({"event_id": "e1"}, owner="alice")["what"] == "paid"


def test_a_transaction_commits_once(seeded: OwnedTable) -> None:
    tx = seeded.transaction()
    tx.update({"item_id": "a1"}, {"n": 1}, owner="alice")
    tx.commit()
    with pytest.raises(RuntimeError, match="already committed"):
        tx.commit()
    with pytest.raises(RuntimeError, match="already committed"):
        tx.delete({"item_id": "a2"}, owner="alice")


def test_create_on_an_owner_partitioned_table(make_table: MakeTable) -> None:
    # The owner is the partition key and comes from `owner`, not from the item body.
    table = make_table(hash_key="owner_id", range_key="item_id", owner=None)
    owned = OwnedTable(table, key=("owner_id", "item_id"), owner="owner_id")
    with owned.transaction() as tx:
        tx.create({"item_id": "x"}, owner="alice", label="new")
        tx.create({"item_id": "x"}, owner="bob")
    assert tx.results[0].key == {"owner_id": "alice", "item_id": "x"}
    assert owned.get({"owner_id": "bob", "item_id": "x"}, owner="bob")["version"] == 1
    with pytest.raises(DuplicateItem, match="twice in one transaction: DynamoDB allows one"):
        tx2 = owned.transaction()
        tx2.create({"item_id": "y"}, owner="alice")
        tx2.create({"owner_id": "alice", "item_id": "y"}, owner="alice")


def test_a_decimal_version_read_back_by_boto3_is_accepted(make_table: MakeTable) -> None:
    table = make_table()
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    owned.create({"item_id": "a1"}, owner="alice")
    stored = raw_item(table, {"item_id": "a1"})
    assert stored is not None and stored["version"] == Decimal(1)  # boto3 gives Decimal
    assert (
        owned.update(
            {"item_id": "a1"}, {"n": 1}, owner="alice", expected_version=stored["version"]
        )["version"]
        == 2
    )
    with pytest.raises(ValueError, match="whole number"):
        owned.update({"item_id": "a1"}, {"n": 2}, owner="alice", expected_version=Decimal("2.5"))
    with pytest.raises(Conflict):
        owned.update({"item_id": "a1"}, {"n": 2}, owner="alice", expected_version=Decimal(1))
