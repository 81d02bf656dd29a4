"""Guard bench: DynamoDB requests per operation, and the guard's CPU overhead over boto3.

Not a test. Runs on moto's in-process backend (`moto.mock_aws`), so what is timed is the
Python work on both sides of the wire (botocore + moto), not a network:

    python3 bench/guard_bench.py [--iterations 1000] [--rounds 3]

For each operation, a hand-written boto3 call with the same condition and the guarded call
run interleaved (A, B, A, B...) on the same client; the ratio of their median per-call times
is the end-to-end overhead. The guard's own work (planning the request, interpreting the
answer) is also timed alone, without I/O, as a share of the hand-written call.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws

from dynaguard.demo.embedded import create_table
from dynaguard.guard import OwnedTable, ops

TABLE = "bench"
Op = Callable[[int], object]


class Counter:
    """HTTP requests botocore sends (one per attempt), by operation."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def __call__(self, request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        self.ops.append(target.decode().rsplit(".", 1)[-1] if target else "?")


def hand_written(client: Any) -> dict[str, Op]:
    """What a careful developer writes by hand: the same keys, conditions and return values."""
    names = {"#o": "owner_id", "#v": "version", "#d": "data"}
    versions: dict[str, int] = {}

    def get(i: int) -> object:
        item = client.get_item(TableName=TABLE, Key={"item_id": "h-get"}, ConsistentRead=True)
        assert item["Item"]["owner_id"] == "alice"
        return item

    def create(i: int) -> object:
        return client.put_item(
            TableName=TABLE,
            Item={"item_id": f"h-new-{i}", "data": "x", "owner_id": "alice", "version": 1},
            ConditionExpression="attribute_not_exists(item_id)",
        )

    def update(i: int) -> object:
        current = versions.get("h-upd", 1)
        versions["h-upd"] = current + 1
        return client.update_item(
            TableName=TABLE,
            Key={"item_id": "h-upd"},
            UpdateExpression="SET #d = :d, #v = #v + :one",
            ConditionExpression="#o = :me AND #v = :ev",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={":d": f"y{i}", ":one": 1, ":me": "alice", ":ev": current},
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    def update_with_token(i: int) -> object:
        # The guard's exact request: the same plus its write token (exactly-once retries).
        current = versions.get("h-upd2", 1)
        versions["h-upd2"] = current + 1
        return client.update_item(
            TableName=TABLE,
            Key={"item_id": "h-upd2"},
            UpdateExpression="SET #d = :d, #v = #v + :one, #t = :t",
            ConditionExpression="#o = :me AND #v = :ev",
            ExpressionAttributeNames={**names, "#t": "_guard_token"},
            ExpressionAttributeValues={
                ":d": f"y{i}",
                ":one": 1,
                ":me": "alice",
                ":ev": current,
                ":t": secrets.token_hex(16),
            },
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    def transfer(i: int) -> object:
        me, to = ("alice", "bob") if i % 2 == 0 else ("bob", "alice")
        return client.update_item(
            TableName=TABLE,
            Key={"item_id": "h-xfer"},
            UpdateExpression="SET #o = :to, #v = #v + :one",
            ConditionExpression="#o = :me",
            ExpressionAttributeNames={"#o": "owner_id", "#v": "version"},
            ExpressionAttributeValues={":to": to, ":one": 1, ":me": me},
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    def delete(i: int) -> object:
        return client.delete_item(
            TableName=TABLE,
            Key={"item_id": f"h-new-{i}"},
            ConditionExpression="#o = :me",
            ExpressionAttributeNames={"#o": "owner_id"},
            ExpressionAttributeValues={":me": "alice"},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    return {
        "get": get,
        "create": create,
        "update": update,
        "update (by hand with the guard's token)": update_with_token,
        "transfer": transfer,
        "delete": delete,
    }


def guarded(owned: OwnedTable) -> dict[str, Op]:
    """The same operations through the guard."""
    versions: dict[str, int] = {}

    def update(i: int, item_id: str = "g-upd") -> object:
        current = versions.get(item_id, 1)
        item = owned.update(
            {"item_id": item_id}, {"data": f"y{i}"}, owner="alice", expected_version=current
        )
        versions[item_id] = int(item["version"])  # type: ignore[call-overload]
        return item

    def transfer(i: int) -> object:
        me, to = ("alice", "bob") if i % 2 == 0 else ("bob", "alice")
        return owned.transfer({"item_id": "g-xfer"}, owner=me, new_owner=to)

    return {
        "get": lambda i: owned.get({"item_id": "g-get"}, owner="alice"),
        "create": lambda i: owned.create({"item_id": f"g-new-{i}", "data": "x"}, owner="alice"),
        "update": update,
        "update (by hand with the guard's token)": lambda i: update(i, "g-upd2"),
        "transfer": transfer,
        "delete": lambda i: owned.delete({"item_id": f"g-new-{i}"}, owner="alice"),
    }


def seed(owned: OwnedTable, client: Any) -> None:
    """The items the get/update/transfer loops work on, one set per side."""
    for prefix in ("h", "g"):
        for name in ("get", "upd", "upd2", "xfer"):
            owned.create({"item_id": f"{prefix}-{name}", "data": "x"}, owner="alice")


def interleaved(hand: Op, guard: Op, iterations: int, offset: int) -> tuple[float, float]:
    """Median seconds per call of each, measured alternately so drift hits both alike."""
    a: list[float] = []
    b: list[float] = []
    clock = time.perf_counter
    for i in range(offset, offset + iterations):
        t0 = clock()
        hand(i)
        t1 = clock()
        guard(i)
        t2 = clock()
        a.append(t1 - t0)
        b.append(t2 - t1)
    return statistics.median(a), statistics.median(b)


def guard_own_work(owned: OwnedTable, iterations: int) -> dict[str, float]:
    """Seconds per operation the guard spends planning and interpreting, no I/O at all."""
    spec = owned.spec
    answer = {"Attributes": {"item_id": "k", "owner_id": "alice", "version": 3, "data": "y"}}
    work: dict[str, Callable[[], object]] = {
        "get": lambda: (
            ops.read_outcome(spec, {"Item": answer["Attributes"]}, "alice")
            and ops.plan_get(spec, {"item_id": "k"}, True)
        ),
        "create": lambda: ops.success_outcome(
            spec,
            ops.plan_create(spec, {"item_id": "k", "data": "x"}, owner="alice", server_values=None),
            {},
        ),
        "update": lambda: ops.success_outcome(
            spec,
            ops.plan_update(
                spec,
                {"item_id": "k"},
                {"data": "y"},
                owner="alice",
                expected_version=2,
                server_values=None,
            ),
            answer,
        ),
        "transfer": lambda: ops.success_outcome(
            spec,
            ops.plan_transfer(
                spec, {"item_id": "k"}, owner="alice", new_owner="bob", expected_version=None
            ),
            answer,
        ),
        "delete": lambda: ops.success_outcome(
            spec, ops.plan_delete(spec, {"item_id": "k"}, owner="alice", expected_version=None), {}
        ),
    }
    out = {}
    for name, fn in work.items():
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(iterations):
                fn()
            best = min(best, (time.perf_counter() - t0) / iterations)
        out[name] = best
    return out


def count_requests(owned: OwnedTable, client: Any) -> dict[str, list[str]]:
    """Requests sent per guarded operation, and for the read-then-check-then-write pattern."""
    counter = Counter()
    client.meta.events.register("before-send.dynamodb", counter, unique_id="bench-counter")
    counts: dict[str, list[str]] = {}

    def record(name: str, fn: Callable[[], object]) -> None:
        counter.ops.clear()
        fn()
        counts[name] = list(counter.ops)

    key = {"item_id": "count-me"}
    record("create", lambda: owned.create({**key, "data": "x"}, owner="alice"))
    record("get", lambda: owned.get(key, owner="alice"))
    record("update", lambda: owned.update(key, {"data": "y"}, owner="alice", expected_version=1))
    record("transfer", lambda: owned.transfer(key, owner="alice", new_owner="bob"))
    record("delete", lambda: owned.delete(key, owner="bob"))

    def read_then_write() -> None:
        owned.create({**key, "data": "x"}, owner="alice")
        counter.ops.clear()
        item = client.get_item(TableName=TABLE, Key=key)["Item"]
        if item["owner_id"] == "alice":  # the circulating "fix": check in Python, then write
            client.update_item(
                TableName=TABLE,
                Key=key,
                UpdateExpression="SET #d = :d",
                ExpressionAttributeNames={"#d": "data"},
                ExpressionAttributeValues={":d": "z"},
            )

    record("read-then-write (unguarded pattern)", read_then_write)
    client.meta.events.unregister("before-send.dynamodb", unique_id="bench-counter")
    return counts


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


_ITEM = {"item_id": {"S": "k"}, "owner_id": {"S": "alice"}, "version": {"N": "1"}}
_CANNED = {
    "GetItem": {"Item": _ITEM},
    "UpdateItem": {"Attributes": _ITEM},
    "PutItem": {},
    "DeleteItem": {},
}


def canned(request: Any, **_: Any) -> Any:
    """Answer every request in-process (botocore still serializes and parses): client CPU only."""
    from botocore.awsrequest import AWSResponse

    op = request.headers["X-Amz-Target"].decode().rsplit(".", 1)[-1]
    body = json.dumps(_CANNED[op]).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
    return AWSResponse(request.url, 200, headers, _Raw(body))


def compare(
    hand: dict[str, Op], guard: dict[str, Op], iterations: int, rounds: int
) -> dict[str, tuple[float, float]]:
    """Best-of-rounds median per call, (hand, guard), for every operation."""
    medians: dict[str, list[tuple[float, float]]] = {name: [] for name in hand}
    for r in range(rounds):
        for name, by_hand in hand.items():
            medians[name].append(interleaved(by_hand, guard[name], iterations, r * iterations))
    return {n: (min(h for h, _ in m), min(g for _, g in m)) for n, m in medians.items()}


def main() -> None:
    """Run the bench and print the markdown tables for bench/guard.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        create_table(resource.meta.client, TABLE, hash_key="item_id")
        table = resource.Table(TABLE)
        owned = OwnedTable(table, key=("item_id",), owner="owner_id")
        client = table.meta.client  # the guard's own client: the comparison is like for like
        seed(owned, client)
        counts = count_requests(owned, client)
        hand, guard = hand_written(client), guarded(owned)
        on_moto = compare(hand, guard, args.iterations, args.rounds)
    # Outside mock_aws, on a client whose every request is answered in-process by `canned`
    # (nothing listens on the endpoint, nothing is ever sent to it).
    offline = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    table = offline.Table(TABLE)
    table.meta.client.meta.events.register_first("before-send.dynamodb", canned)
    owned = OwnedTable(table, key=("item_id",), owner="owner_id")
    hand, guard = hand_written(table.meta.client), guarded(owned)
    client_only = compare(hand, guard, args.iterations * 3, args.rounds)
    own = guard_own_work(owned, 20_000)
    print("| operation | requests (guard) |\n|---|---|")
    for name, sent in counts.items():
        print(f"| {name} | {len(sent)} ({', '.join(sent)}) |")
    for title, results in (
        ("moto in-process backend", on_moto),
        ("client side only (canned answers)", client_only),
    ):
        print(
            f"\n{title}\n\n| operation | boto3 by hand, median µs | guard, median µs "
            "| ratio |\n|---|---|---|---|"
        )
        for name, (hand_s, guard_s) in results.items():
            print(f"| {name} | {hand_s * 1e6:.0f} | {guard_s * 1e6:.0f} | {guard_s / hand_s:.3f} |")
    print(
        "\nguard's own work (plan + interpret, no I/O)\n\n| operation | µs | "
        "share of the hand-written call on moto | share client side |\n|---|---|---|---|"
    )
    for name, seconds in own.items():  # the token row is the same guard call as "update"
        print(
            f"| {name} | {seconds * 1e6:.1f} | {seconds / on_moto[name][0]:.1%} "
            f"| {seconds / client_only[name][0]:.1%} |"
        )


if __name__ == "__main__":
    main()
