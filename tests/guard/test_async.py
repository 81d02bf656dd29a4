"""AsyncOwnedTable on aioboto3 against the embedded server: the same contract, as coroutines."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from guard_helpers import OWNER_INDEX, Fault, error_response

from dynaguard.guard import (
    AsyncOwnedTable,
    Conflict,
    InvalidCursor,
    NotFound,
    RetryPolicy,
    ServerFieldError,
    TransactionCancelled,
)

KEY = {"item_id": "a1"}


@pytest.fixture
def owned(async_table: Any) -> AsyncOwnedTable:
    """An AsyncOwnedTable with fast retries and a declared server field."""
    fast = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)
    return AsyncOwnedTable(
        async_table, key=("item_id",), owner="owner_id", server_fields=["created_at"], retry=fast
    )


async def test_the_whole_api_with_reserved_words(owned: AsyncOwnedTable) -> None:
    item = await owned.create({"item_id": "a1", "data": "x", "status": "new"}, owner="alice")
    assert item == {
        "item_id": "a1",
        "data": "x",
        "status": "new",
        "owner_id": "alice",
        "version": 1,
    }
    assert await owned.get(KEY, owner="alice") == item
    with pytest.raises(NotFound):
        await owned.get(KEY, owner="bob")
    updated = await owned.update(KEY, {"data": "y", "name": "n"}, owner="alice", expected_version=1)
    assert (updated["data"], updated["name"], updated["version"]) == ("y", "n", 2)
    with pytest.raises(Conflict) as stale:
        await owned.update(KEY, {"data": "z"}, owner="alice", expected_version=1)
    assert stale.value.current_version == 2
    with pytest.raises(ServerFieldError):
        await owned.update(KEY, {"created_at": "now"}, owner="alice")
    with pytest.raises(Conflict):
        await owned.create({"item_id": "a1"}, owner="alice")
    moved = await owned.transfer(KEY, owner="alice", new_owner="bob", expected_version=2)
    assert (moved["owner_id"], moved["version"]) == ("bob", 3)
    with pytest.raises(NotFound):
        await owned.delete(KEY, owner="alice")
    await owned.delete(KEY, owner="bob", expected_version=3)
    with pytest.raises(NotFound):
        await owned.get(KEY, owner="bob")


async def test_list_pages_and_cursor_checks(owned: AsyncOwnedTable) -> None:
    for i in range(3):
        await owned.create({"item_id": f"a{i}"}, owner="alice")
    await owned.create({"item_id": "b0"}, owner="bob")
    first = await owned.list(owner="alice", index=OWNER_INDEX, limit=2)
    assert len(first.items) == 2 and first.cursor is not None
    rest = await owned.list(owner="alice", index=OWNER_INDEX, limit=2, cursor=first.cursor)
    assert sorted(i["item_id"] for i in [*first.items, *rest.items]) == ["a0", "a1", "a2"]  # type: ignore[type-var]
    with pytest.raises(InvalidCursor):
        await owned.list(owner="bob", index=OWNER_INDEX, cursor=first.cursor)


async def test_transactions(owned: AsyncOwnedTable) -> None:
    await owned.create({"item_id": "a1", "n": 0}, owner="alice")
    async with owned.transaction() as tx:
        tx.update(KEY, {"n": 1}, owner="alice", expected_version=1, label="bump")
        tx.create({"item_id": "a2"}, owner="alice", label="new")
    assert [r.label for r in tx.results] == ["bump", "new"]
    with pytest.raises(TransactionCancelled) as cancelled:
        async with owned.transaction() as tx2:
            tx2.delete({"item_id": "a2"}, owner="alice", label="fine")
            tx2.update(KEY, {"n": 2}, owner="bob", label="not-bobs")
    assert [r.label for r in cancelled.value.failed] == ["not-bobs"]
    assert (await owned.get({"item_id": "a2"}, owner="alice"))["version"] == 1


async def test_eight_tasks_lose_no_update(owned: AsyncOwnedTable) -> None:
    await owned.create({"item_id": "a1", "count": 0}, owner="alice")

    async def increments(times: int) -> int:
        item = await owned.get(KEY, owner="alice")
        done = attempts = 0
        while done < times:
            attempts += 1
            assert attempts < 20_000
            count, version = int(item["count"]), int(item["version"])  # type: ignore[call-overload]
            try:
                item = await owned.update(
                    KEY, {"count": count + 1}, owner="alice", expected_version=version
                )
                done += 1
            except Conflict as conflict:
                assert conflict.current is not None
                item = conflict.current
        return attempts

    attempts = await asyncio.wait_for(asyncio.gather(*(increments(50) for _ in range(8))), 300)
    final = await owned.get(KEY, owner="alice")
    assert (final["count"], final["version"]) == (400, 401)
    assert sum(attempts) >= 400


async def test_faults_nothing_lost_nothing_twice(owned: AsyncOwnedTable, async_table: Any) -> None:
    await owned.create({"item_id": "a1", "n": 0}, owner="alice")
    events = async_table.meta.client.meta.events

    def drop(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="http://127.0.0.1/")

    lost = Fault(1, drop)
    throttled = Fault(2, lambda: error_response("ThrottlingException", aio=True))
    events.register("after-call.dynamodb.UpdateItem", lost, unique_id="async-drop")
    events.register_first("before-send.dynamodb.UpdateItem", throttled, unique_id="async-thr")
    try:
        item = await owned.update(KEY, {"n": 1}, owner="alice", expected_version=1)
    finally:
        events.unregister("after-call.dynamodb.UpdateItem", unique_id="async-drop")
        events.unregister("before-send.dynamodb.UpdateItem", unique_id="async-thr")
    assert (lost.fired, throttled.fired) == (1, 2)
    assert (item["n"], item["version"]) == (1, 2)
    assert (await owned.get(KEY, owner="alice"))["version"] == 2
