"""Faults injected through botocore's event system: nothing lost, nothing applied twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from guard_helpers import Fault, error_response, unique

from dynaguard.demo.embedded import EmbeddedDynamoDB, create_table
from dynaguard.guard import (
    NotFound,
    OutcomeUnknown,
    OwnedTable,
    RetryPolicy,
    TransactionCancelled,
)

FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)
KEY = {"item_id": "a1"}


class Injector:
    """A table on its own client, so handlers registered here touch no other test."""

    def __init__(self, server: EmbeddedDynamoDB, botocore_attempts: int) -> None:
        config = Config(retries={"total_max_attempts": botocore_attempts, "mode": "standard"})
        kwargs = server.client_kwargs()
        name = unique("faults")
        create_table(boto3.client("dynamodb", **kwargs), name, hash_key="item_id")
        self.table = boto3.resource("dynamodb", config=config, **kwargs).Table(name)
        self.owned = OwnedTable(self.table, key=("item_id",), owner="owner_id", retry=FAST)
        self.events = self.table.meta.client.meta.events

    def on(self, event: str, fault: Fault, *, first: bool = False) -> Fault:
        """Register `fault` for `event` (before botocore's own handlers when `first`)."""
        register = self.events.register_first if first else self.events.register
        register(event, fault)
        return fault

    def stored(self) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.table.get_item(Key=KEY, ConsistentRead=True).get("Item")
        return found


@pytest.fixture
def inject(dynamodb_server: EmbeddedDynamoDB) -> Iterator[Callable[[int], Injector]]:
    """Build an Injector; `botocore_attempts=1` leaves every retry to the guard."""
    yield lambda attempts=1: Injector(dynamodb_server, attempts)


def _throttle() -> Any:
    return error_response("ProvisionedThroughputExceededException")


def _drop_answer(**_: Any) -> Any:
    # The request reached DynamoDB and was applied; the answer never came back.
    raise ReadTimeoutError(endpoint_url="http://127.0.0.1/")


@pytest.mark.parametrize("botocore_attempts", [1, 3])
def test_throttled_update_is_retried_and_applied_once(
    inject: Callable[[int], Injector], botocore_attempts: int
) -> None:
    env = inject(botocore_attempts)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    fault = env.on("before-send.dynamodb.UpdateItem", Fault(2, _throttle))
    item = env.owned.update(KEY, {"n": 1}, owner="alice", expected_version=1)
    assert fault.fired == 2
    assert (item["n"], item["version"]) == (1, 2)
    assert env.stored() is not None and env.stored()["version"] == 2  # type: ignore[index]


def test_throttling_beyond_the_budget_surfaces_and_writes_nothing(
    inject: Callable[[int], Injector],
) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    env.on("before-send.dynamodb.UpdateItem", Fault(10, _throttle))
    with pytest.raises(ClientError) as err:
        env.owned.update(KEY, {"n": 1}, owner="alice")
    assert err.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    stored = env.stored()
    assert stored is not None and (stored["n"], stored["version"]) == (0, 1)


def test_throttled_reads_are_retried(inject: Callable[[int], Injector]) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1"}, owner="alice")
    fault = env.on("before-send.dynamodb.GetItem", Fault(3, _throttle))
    assert env.owned.get(KEY, owner="alice")["owner_id"] == "alice"
    assert fault.fired == 3


@pytest.mark.parametrize("expected_version", [1, None])
def test_update_whose_answer_was_lost_is_done_not_conflict(
    inject: Callable[[int], Injector], expected_version: int | None
) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    fault = env.on("after-call.dynamodb.UpdateItem", Fault(1, _drop_answer))
    item = env.owned.update(KEY, {"n": 1}, owner="alice", expected_version=expected_version)
    assert fault.fired == 1
    # Applied exactly once: version 2, not 3 (unconditioned retry) and no Conflict.
    assert (item["n"], item["version"]) == (1, 2)
    assert env.stored()["version"] == 2  # type: ignore[index]


def test_create_whose_answer_was_lost_is_done(inject: Callable[[int], Injector]) -> None:
    env = inject(1)
    fault = env.on("after-call.dynamodb.PutItem", Fault(1, _drop_answer))
    item = env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    assert fault.fired == 1
    assert item == {"item_id": "a1", "n": 0, "owner_id": "alice", "version": 1}


def test_transfer_whose_answer_was_lost_is_done(inject: Callable[[int], Injector]) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1"}, owner="alice")
    env.on("after-call.dynamodb.UpdateItem", Fault(1, _drop_answer))
    moved = env.owned.transfer(KEY, owner="alice", new_owner="bob")
    assert (moved["owner_id"], moved["version"]) == ("bob", 2)


def test_delete_whose_answer_was_lost_is_outcome_unknown(inject: Callable[[int], Injector]) -> None:
    # The item is gone, but nothing in DynamoDB proves this call deleted it (not another
    # writer): the guard says so instead of guessing, and leaves no tombstone behind.
    env = inject(1)
    env.owned.create({"item_id": "a1"}, owner="alice")
    fault = env.on("after-call.dynamodb.DeleteItem", Fault(1, _drop_answer))
    with pytest.raises(OutcomeUnknown) as unknown:
        env.owned.delete(KEY, owner="alice", expected_version=1)
    assert fault.fired == 1
    assert (unknown.value.operation, unknown.value.current) == ("delete", None)
    assert env.stored() is None
    with pytest.raises(NotFound):  # without an ambiguous attempt, a missing item is NotFound
        env.owned.delete(KEY, owner="alice")


def test_botocore_resending_a_write_is_recognised(inject: Callable[[int], Injector]) -> None:
    env = inject(3)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    # Tell botocore's retry layer the first (successful) answer needs a retry: it resends.
    fault = env.on("needs-retry.dynamodb.UpdateItem", Fault(1, lambda: 0), first=True)
    item = env.owned.update(KEY, {"n": 1}, owner="alice", expected_version=1)
    assert fault.fired == 1
    assert (item["n"], item["version"]) == (1, 2)


def _tx_conflict() -> Any:
    # Another transaction held the first item: DynamoDB cancels, nothing applied, retryable.
    reasons = [{"Code": "TransactionConflict", "Message": "x"}, {"Code": "None"}]
    return error_response("TransactionCanceledException", CancellationReasons=reasons)


@pytest.mark.parametrize(
    ("event", "times", "action"),
    [
        # the write applied but its answer was lost: recognised as done, not applied twice
        ("after-call.dynamodb.TransactWriteItems", 1, _drop_answer),
        # throttled twice before it gets through
        ("before-send.dynamodb.TransactWriteItems", 2, _throttle),
        # another transaction held an item: cancelled, nothing applied, retryable
        ("before-send.dynamodb.TransactWriteItems", 2, _tx_conflict),
    ],
    ids=["answer-lost", "throttled", "conflict"],
)
def test_transaction_faults_apply_it_exactly_once(
    inject: Callable[[int], Injector], event: str, times: int, action: Callable[..., Any]
) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    fault = env.on(event, Fault(times, action))
    with env.owned.transaction() as tx:
        tx.update(KEY, {"n": 1}, owner="alice", expected_version=1)
        tx.create({"item_id": "a2"}, owner="alice")
    assert fault.fired == times
    assert env.stored()["version"] == 2  # type: ignore[index]
    assert env.owned.get({"item_id": "a2"}, owner="alice")["version"] == 1


def test_transaction_conflict_past_the_budget_names_the_item(
    inject: Callable[[int], Injector],
) -> None:
    env = inject(1)
    env.owned.create({"item_id": "a1", "n": 0}, owner="alice")
    env.on("before-send.dynamodb.TransactWriteItems", Fault(10, _tx_conflict))
    with pytest.raises(TransactionCancelled) as cancelled, env.owned.transaction() as tx:
        tx.update(KEY, {"n": 1}, owner="alice", label="bump")
        tx.create({"item_id": "a2"}, owner="alice", label="new")
    assert [(r.label, r.code) for r in cancelled.value.failed] == [("bump", "TransactionConflict")]
    assert env.stored()["version"] == 1  # type: ignore[index]


def test_what_is_retried_and_what_may_have_applied() -> None:
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    from dynaguard.guard.retry import classify

    def client_error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "m"}}, "UpdateItem")

    url = "http://127.0.0.1/"
    assert classify(client_error("ProvisionedThroughputExceededException")) is not None
    assert classify(client_error("ThrottlingException")).ambiguous is False  # type: ignore[union-attr]
    assert classify(client_error("InternalServerError")).ambiguous is True  # type: ignore[union-attr]
    assert classify(ReadTimeoutError(endpoint_url=url)).ambiguous is True  # type: ignore[union-attr]
    assert classify(ConnectionClosedError(endpoint_url=url)).ambiguous is True  # type: ignore[union-attr]
    assert classify(EndpointConnectionError(endpoint_url=url)).ambiguous is False  # type: ignore[union-attr]
    for final in ("ConditionalCheckFailedException", "ValidationException", "AccessDenied"):
        assert classify(client_error(final)) is None
    assert classify(ValueError("not AWS")) is None
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    delays = [RetryPolicy(base_delay=0.1, max_delay=0.3).delay(n) for n in range(8)]
    assert all(0 <= d <= 0.3 for d in delays)
