"""Guard v2: update actions, queries, batch get, chunked writes, sharing, admin, table creation."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from guard_helpers import unique

from dynaguard.guard import (
    Attr,
    ConditionFailed,
    InvalidCursor,
    Key,
    NotFound,
    OwnedTable,
    ServerFieldError,
    TransactionCancelled,
)

INDEXES = {"by-owner": ("owner_id", "created_at"), "by-status": ("status", None)}


def declared(resource: Any) -> OwnedTable:
    """A table created from its declaration: key, owner index with a sort key, another index."""
    table = OwnedTable(
        resource.Table(unique("v2")),
        key=("doc_id",),
        owner="owner_id",
        owner_index="by-owner",
        indexes=INDEXES,
        readers="readers",
        editors="editors",
    )
    table.create_table()
    return table


@pytest.fixture
def docs(ddb_resource: Any) -> OwnedTable:
    table = declared(ddb_resource)
    for n in range(6):
        doc = {"doc_id": f"d{n}", "created_at": f"2024-01-0{n + 1}", "credits": 10}
        table.create({**doc, "status": "open" if n % 2 else "done"}, owner="alice")
    table.create({"doc_id": "b0", "created_at": "2024-01-01", "status": "done"}, owner="bob")
    return table


def test_create_table_from_the_declaration(docs: OwnedTable, ddb_client: Any) -> None:
    described = ddb_client.describe_table(TableName=docs.spec.table_name)["Table"]
    assert described["KeySchema"] == [{"AttributeName": "doc_id", "KeyType": "HASH"}]
    indexes = {i["IndexName"]: i["KeySchema"] for i in described["GlobalSecondaryIndexes"]}
    assert indexes == {
        "by-owner": [
            {"AttributeName": "owner_id", "KeyType": "HASH"},
            {"AttributeName": "created_at", "KeyType": "RANGE"},
        ],
        "by-status": [{"AttributeName": "status", "KeyType": "HASH"}],
    }


def test_update_actions_beyond_set(docs: OwnedTable) -> None:
    key = {"doc_id": "d0"}
    docs.update(key, {"tags": {"a"}, "log": ["x"]}, owner="alice")
    item = docs.update(
        key,
        add={"credits": -3, "tags": {"b"}},
        append={"log": ["y"]},
        remove=["status"],
        owner="alice",
    )
    assert (item["credits"], item["tags"], item["log"]) == (7, {"a", "b"}, ["x", "y"])
    assert "status" not in item and item["version"] == 3
    item = docs.update(key, delete={"tags": {"a"}}, append={"fresh": [1]}, owner="alice")
    assert (item["tags"], item["fresh"]) == ({"b"}, [1])


def test_when_adds_a_condition_and_its_failure_is_named(docs: OwnedTable) -> None:
    key = {"doc_id": "d0"}
    spent = docs.update(key, add={"credits": -10}, when=Attr("credits").gte(10), owner="alice")
    assert spent["credits"] == 0
    with pytest.raises(ConditionFailed) as failed:
        docs.update(key, add={"credits": -1}, when=Attr("credits").gte(1), owner="alice")
    assert failed.value.current is not None and failed.value.current["credits"] == 0
    with pytest.raises(NotFound):  # someone else's item: the owner check comes first
        docs.update(key, add={"credits": 1}, when=Attr("credits").gte(0), owner="bob")


def test_when_takes_or_and_not_conditions(docs: OwnedTable) -> None:
    # boto3 parenthesises OR/AND/NOT itself; wrapped again, DynamoDB rejects the
    # expression ("redundant parentheses") and every such update failed.
    key = {"doc_id": "d1"}  # status "open"
    active = Attr("status").not_exists() | Attr("status").eq("open")
    archived = docs.update(key, {"status": "archived"}, when=active, owner="alice")
    assert archived["status"] == "archived"
    with pytest.raises(ConditionFailed):  # the allowed prior state no longer holds
        docs.update(key, {"status": "archived"}, when=active, owner="alice")
    reopened = docs.update(
        key, {"status": "active"}, when=~Attr("status").eq("active"), owner="alice"
    )
    assert reopened["status"] == "active"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"add": {"owner_id": 1}}, None),
        ({"remove": ["version"]}, None),
        ({"append": {"_guard_token": ["x"]}}, None),
        ({"remove": "title"}, "list of attribute names"),
        ({"add": {"n": "x"}}, "number .* or a set"),
        ({"changes": {"n": 1}, "add": {"n": 1}}, "act twice on an attribute: n"),
        ({"add": {"credits": 1}, "when": "credits >= 1"}, "boto3.dynamodb.conditions"),
    ],
)
def test_bad_update_actions_are_refused_before_sending(
    docs: OwnedTable, kwargs: dict[str, Any], message: str | None
) -> None:
    changes = kwargs.pop("changes", None)
    error = ServerFieldError if message is None else (TypeError, ValueError)
    with pytest.raises(error, match=message):
        docs.update({"doc_id": "d0"}, changes, owner="alice", **kwargs)


def test_query_sort_key_order_projection_and_cursor(docs: OwnedTable) -> None:
    since = Key("created_at").gte("2024-01-03")
    first = docs.query(owner="alice", key=since, newest_first=True, limit=3, fields=["status"])
    assert [i["doc_id"] for i in first.items] == ["d5", "d4", "d3"]
    assert set(first.items[0]) == {"doc_id", "owner_id", "version", "created_at", "status"}
    rest = docs.query(owner="alice", key=since, newest_first=True, limit=3, cursor=first.cursor)
    assert [i["doc_id"] for i in rest.items] == ["d2"] and rest.cursor is None
    with pytest.raises(InvalidCursor):  # bound to its owner
        docs.query(owner="bob", key=since, newest_first=True, limit=3, cursor=first.cursor)


def test_query_filters_and_other_indexes(docs: OwnedTable) -> None:
    open_docs = docs.query(owner="alice", filter=Attr("status").eq("open"))
    assert sorted(i["doc_id"] for i in open_docs.items) == ["d1", "d3", "d5"]
    done = docs.query(owner="alice", index="by-status", key=Key("status").eq("done"))
    assert sorted(i["doc_id"] for i in done.items) == ["d0", "d2", "d4"]  # bob's b0 filtered
    page = docs.query(owner="bob", index="by-status", key=Key("status").eq("done"), limit=1)
    pages = [page]
    while pages[-1].cursor is not None and len(pages) < 10:
        pages.append(
            docs.query(
                owner="bob",
                index="by-status",
                key=Key("status").eq("done"),
                limit=1,
                cursor=pages[-1].cursor,
            )
        )
    assert [i["doc_id"] for p in pages for i in p.items] == ["b0"]
    with pytest.raises(ValueError, match="needs key=Key"):
        docs.query(owner="alice", index="by-status")


def test_batch_get_returns_only_the_owners_items_in_order(
    docs: OwnedTable, requests_sent: Any
) -> None:
    keys = [{"doc_id": d} for d in ("d3", "b0", "missing", "d0", "d3")]
    requests_sent.ops.clear()
    found = docs.batch_get(keys, owner="alice")
    assert [i["doc_id"] for i in found] == ["d3", "d0"]
    assert requests_sent.ops == ["BatchGetItem"]
    many = docs.batch_get([{"doc_id": f"x{n}"} for n in range(150)], owner="alice")
    assert many == [] and requests_sent.ops.count("BatchGetItem") == 3  # chunks of 100


def test_chunked_writes_carry_conditions_and_chunk(docs: OwnedTable, requests_sent: Any) -> None:
    requests_sent.ops.clear()
    with docs.chunked(chunk_size=4) as writer:
        for n in range(10):
            writer.create({"doc_id": f"c{n}", "created_at": "2024-02-01"}, owner="alice")
    assert requests_sent.ops == ["TransactWriteItems"] * 3
    assert [r.version for r in writer.results] == [1] * 10
    with pytest.raises(TransactionCancelled) as cancelled, docs.chunked(chunk_size=2) as writer:
        writer.update({"doc_id": "c0"}, {"n": 1}, owner="alice")
        writer.update({"doc_id": "c1"}, {"n": 1}, owner="alice")
        writer.update({"doc_id": "b0"}, {"n": 1}, owner="alice")  # bob's: its chunk fails
    assert [type(r.error) for r in cancelled.value.failed] == [NotFound]
    assert [r.key for r in writer.results] == [{"doc_id": "c0"}, {"doc_id": "c1"}]
    assert docs.get({"doc_id": "b0"}, owner="bob").get("n") is None


def test_sharing_readers_and_editors(docs: OwnedTable) -> None:
    key = {"doc_id": "d0"}
    with pytest.raises(NotFound):
        docs.get(key, owner="carol")
    with pytest.raises(NotFound):  # only the owner shares
        docs.share(key, owner="bob", readers=["bob"])
    docs.share(key, owner="alice", readers=["carol"], editors=["bob"])
    assert docs.get(key, owner="carol")["doc_id"] == "d0"
    with pytest.raises(NotFound):  # a reader may not write
        docs.update(key, {"title": "c"}, owner="carol")
    assert docs.update(key, {"title": "b"}, owner="bob")["title"] == "b"
    with pytest.raises(NotFound):  # an editor may not delete or give it away
        docs.delete(key, owner="bob")
    with pytest.raises(ServerFieldError):  # nor grant himself more through changes
        docs.update(key, {"readers": {"mallory"}}, owner="bob")
    docs.share(key, owner="alice", editors=["bob"], revoke=True)
    with pytest.raises(NotFound):
        docs.update(key, {"title": "again"}, owner="bob")


def test_admin_path_is_explicit_and_logged(
    docs: OwnedTable, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        docs.as_admin(reason=" ")
    admin = docs.as_admin(reason="ticket 42")
    with caplog.at_level(logging.WARNING, logger="dynaguard.guard.admin"):
        assert admin.get({"doc_id": "b0"})["owner_id"] == "bob"
        assert admin.update({"doc_id": "b0"}, {"hidden": True}, expected_version=1)["version"] == 2
        admin.delete({"doc_id": "b0"})
        with pytest.raises(NotFound):
            admin.update({"doc_id": "b0"}, {"hidden": False})  # never creates
    assert [r.getMessage().split(":")[-1].strip() for r in caplog.records] == ["ticket 42"] * 4
    assert "admin update on" in caplog.records[1].getMessage()


def test_transaction_results_give_the_new_versions(docs: OwnedTable) -> None:
    docs.update({"doc_id": "d1"}, {"n": 1}, owner="alice")  # version 2
    with docs.transaction() as tx:
        tx.update({"doc_id": "d0"}, {"n": 1}, owner="alice", expected_version=1, label="pinned")
        tx.update({"doc_id": "d1"}, add={"credits": 5}, owner="alice", label="free")
        tx.create({"doc_id": "n1", "created_at": "2024-03-01"}, owner="alice", label="new")
        tx.delete({"doc_id": "d2"}, owner="alice", label="gone")
        tx.check({"doc_id": "d3"}, owner="alice", expected_version=1, label="seen")
    versions = {r.label: r.version for r in tx.results}
    assert versions == {"pinned": 2, "free": 3, "new": 1, "gone": None, "seen": 1}


def test_credits_stay_decimal_and_conditions_take_python_values(docs: OwnedTable) -> None:
    item = docs.update({"doc_id": "d0"}, add={"credits": Decimal("0.5")}, owner="alice")
    assert item["credits"] == Decimal("10.5")
    assert docs.query(owner="alice", filter=Attr("credits").gt(10.25)).items[0]["doc_id"] == "d0"


def test_requests_per_operation(docs: OwnedTable, requests_sent: Any) -> None:
    key, sent = {"doc_id": "d0"}, {}

    def count(name: str, call: Any) -> None:
        requests_sent.ops.clear()
        call()
        sent[name] = list(requests_sent.ops)

    def tx() -> None:
        with docs.transaction() as t:
            t.update(key, add={"credits": 1}, owner="alice")
            t.check({"doc_id": "d1"}, owner="alice", expected_version=1)

    count("update", lambda: docs.update(key, add={"credits": 1}, remove=["status"], owner="alice"))
    count(
        "update when",
        lambda: docs.update(key, {"a": 1}, when=Attr("a").not_exists(), owner="alice"),
    )
    count("query", lambda: docs.query(owner="alice", key=Key("created_at").gt("2024")))
    count("batch_get", lambda: docs.batch_get([key, {"doc_id": "d1"}], owner="alice"))
    count("share", lambda: docs.share(key, owner="alice", readers=["carol"]))
    count("admin update", lambda: docs.as_admin(reason="r").update(key, {"b": 1}))
    count("transaction", tx)
    assert sent == {
        "update": ["UpdateItem"],
        "update when": ["UpdateItem"],
        "query": ["Query"],
        "batch_get": ["BatchGetItem"],
        "share": ["UpdateItem"],
        "admin update": ["UpdateItem"],
        # an unversioned update's new version is read back once, after the commit
        "transaction": ["TransactWriteItems", "TransactGetItems"],
    }
