"""Typed items (ModelTable), the quota move, and the v2 API on aioboto3 (moto's server)."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, assert_type

import pytest
from guard_helpers import unique
from pydantic import BaseModel
from test_v2_features import INDEXES, declared

from dynaguard.guard import (
    AsyncModelTable,
    AsyncOwnedTable,
    Attr,
    ConditionFailed,
    Key,
    ModelTable,
    OwnedTable,
    TransactionCancelled,
)


class State(enum.Enum):
    OPEN = "open"
    DONE = "done"


class Doc(BaseModel):
    doc_id: uuid.UUID
    owner_id: str
    version: int
    title: str
    state: State = State.OPEN
    due: dt.date | None = None
    created_at: dt.datetime
    expires_at: dt.datetime | None = None
    score: float = 0.0
    credits: int = 0


class DocIn(BaseModel):
    doc_id: uuid.UUID
    title: str
    created_at: dt.datetime
    due: dt.date | None = None
    expires_at: dt.datetime | None = None
    score: float = 0.0


AT = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_typed_items_convert_both_ways(ddb_resource: Any, ddb_client: Any) -> None:
    docs = ModelTable(declared(ddb_resource), Doc, ttl="expires_at")
    ref = uuid.uuid4()
    new = DocIn(doc_id=ref, title="t", created_at=AT, due=dt.date(2024, 6, 1), expires_at=EXPIRES)
    created = docs.create(new, owner="alice")
    key = {"doc_id": str(ref)}
    assert_type(created, Doc)  # typed for mypy: no casts in a typed service
    assert_type(docs.query(owner="alice").items, list[Doc])
    assert created == docs.get(key, owner="alice")  # create and get: the same type, same values
    assert (created.doc_id, created.created_at, created.expires_at) == (ref, AT, EXPIRES)
    raw = ddb_client.get_item(TableName=docs.table.spec.table_name, Key={"doc_id": {"S": str(ref)}})
    stored = raw["Item"]
    assert stored["created_at"] == {"S": "2024-05-06T07:08:09+00:00"}
    assert stored["expires_at"] == {"N": str(int(EXPIRES.timestamp()))}  # TTL: epoch seconds
    assert stored["due"] == {"S": "2024-06-01"}
    updated = docs.update(key, {"state": State.DONE, "score": 0.25}, owner="alice")
    assert (updated.state, updated.score, updated.version) == (State.DONE, 0.25, 2)
    page = docs.query(owner="alice", key=Key("created_at").lte(AT.isoformat()))
    assert page.items == [updated] and page.cursor is None
    assert docs.batch_get([key], owner="alice") == [updated]


def test_typed_tables_check_their_arguments(ddb_resource: Any) -> None:
    with pytest.raises(TypeError, match="Pydantic model class"):
        ModelTable(declared(ddb_resource), dict)  # type: ignore[type-var]
    with pytest.raises(ValueError, match="not a field"):
        ModelTable(declared(ddb_resource), Doc, ttl="gone")


MOVES, START = 8, 100


def _accounts(client: Any, table: OwnedTable | AsyncOwnedTable) -> None:
    """Two users' quota items, written around the guard (a migration would do the same)."""
    for user in ("alice", "bob"):
        client.put_item(
            TableName=table.spec.table_name,
            Item={
                "doc_id": {"S": f"quota-{user}"},
                "owner_id": {"S": user},
                "version": {"N": "1"},
                "credits": {"N": str(START)},
            },
        )


def _move(table: OwnedTable, amount: int) -> None:
    """Move `amount` credits from alice to bob: conditional ADDs in one transaction."""
    with table.transaction() as tx:
        tx.update(
            {"doc_id": "quota-alice"},
            add={"credits": -amount},
            when=Attr("credits").gte(amount),
            owner="alice",
        )
        tx.update({"doc_id": "quota-bob"}, add={"credits": amount}, owner="bob")


def test_quota_moves_run_eight_at_a_time_all_succeed(ddb_resource: Any, ddb_client: Any) -> None:
    table = declared(ddb_resource)
    _accounts(ddb_client, table)
    with ThreadPoolExecutor(MOVES) as pool:
        results = [
            f.result(timeout=60) for f in [pool.submit(_move, table, 5) for _ in range(MOVES)]
        ]
    assert len(results) == MOVES  # 8 of 8, no conflict: nothing to re-read or pin
    alice = table.get({"doc_id": "quota-alice"}, owner="alice")["credits"]
    bob = table.get({"doc_id": "quota-bob"}, owner="bob")["credits"]
    assert (alice, bob) == (START - 5 * MOVES, START + 5 * MOVES)
    with pytest.raises(TransactionCancelled) as short:  # never below zero
        _move(table, START)
    assert isinstance(short.value.failed[0].error, ConditionFailed)


@pytest.fixture
async def async_docs(dynamo: Any, ddb_resource: Any) -> AsyncOwnedTable:
    name = unique("v2async")
    table = AsyncOwnedTable(
        await dynamo.Table(name),
        key=("doc_id",),
        owner="owner_id",
        owner_index="by-owner",
        indexes=INDEXES,
        readers="readers",
        editors="editors",
    )
    await table.create_table()
    return table


async def test_async_quota_moves_and_the_v2_api(
    async_docs: AsyncOwnedTable, ddb_client: Any
) -> None:
    _accounts(ddb_client, async_docs)

    async def move() -> None:
        async with async_docs.transaction() as tx:
            tx.update(
                {"doc_id": "quota-alice"},
                add={"credits": -5},
                when=Attr("credits").gte(5),
                owner="alice",
            )
            tx.update({"doc_id": "quota-bob"}, add={"credits": 5}, owner="bob")

    await asyncio.gather(*(move() for _ in range(MOVES)))
    alice = await async_docs.get({"doc_id": "quota-alice"}, owner="alice")
    assert alice["credits"] == START - 5 * MOVES
    for n in range(3):
        doc = {"doc_id": f"d{n}", "created_at": f"2024-01-0{n + 1}", "status": "open"}
        await async_docs.create(doc, owner="alice")
    page = await async_docs.query(
        owner="alice", key=Key("created_at").gt("2024"), newest_first=True
    )
    assert [i["doc_id"] for i in page.items] == ["d2", "d1", "d0"]
    assert (
        len(await async_docs.batch_get([{"doc_id": "d0"}, {"doc_id": "quota-bob"}], owner="alice"))
        == 1
    )
    await async_docs.share({"doc_id": "d0"}, owner="alice", editors=["bob"])
    assert (await async_docs.update({"doc_id": "d0"}, {"t": 1}, owner="bob"))["version"] == 3
    admin = async_docs.as_admin(reason="async test")
    assert (await admin.get({"doc_id": "quota-bob"}))["credits"] == START + 5 * MOVES
    async with async_docs.chunked(chunk_size=2) as writer:
        for n in range(3):
            writer.create({"doc_id": f"c{n}", "created_at": "2024-02-01"}, owner="alice")
    assert [r.version for r in writer.results] == [1, 1, 1]
    typed = AsyncModelTable(async_docs, Doc)
    ref = uuid.uuid4()
    made = await typed.create(DocIn(doc_id=ref, title="t", created_at=AT), owner="alice")
    assert made == await typed.get({"doc_id": str(ref)}, owner="alice")
    assert (
        await typed.update({"doc_id": str(ref)}, add={"credits": 2}, owner="alice")
    ).credits == 2
    assert Decimal(2) == (await async_docs.get({"doc_id": str(ref)}, owner="alice"))["credits"]
