"""Guard vs PynamoDB vs raw boto3: requests and time per operation, same run, same server.

Not a test. Starts the embedded DynamoDB (moto's server on 127.0.0.1, the one the tests and
the demo use), gives each implementation its own table with the same schema (key
`item_id`, owner index `by_owner`), and runs the same operations with each, interleaved
(boto3, guard, PynamoDB, boto3, ...) so load on the machine hits all three alike:

    python3 bench/guard_compare.py [--iterations 200] [--json]

Each implementation does what a careful developer writes with it for a multi-user service:
the owner checked (in the condition where the library allows it, else in Python after the
read), and the version the client last saw (If-Match) enforced on updates and deletes.
Requests are counted with botocore's `before-send` event on each implementation's own
client (one per HTTP attempt); time is the median wall time of one call, setup excluded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guard_compare_impls import IMPLEMENTATIONS, LISTER, SEEDED, Impl

from dynaguard.demo.embedded import EmbeddedDynamoDB, create_table


@dataclass
class Counter:
    """HTTP requests botocore sends (one per attempt), counted only while `on`."""

    on: bool = False
    ops: list[str] = field(default_factory=list)

    def __call__(self, request: Any, **_: Any) -> None:
        if self.on:
            target = request.headers.get("X-Amz-Target", b"")
            self.ops.append(target.decode().rsplit(".", 1)[-1] if target else "?")


@dataclass
class Figures:
    """Per (operation, implementation): requests of one call, and each call's seconds."""

    requests: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    seconds: dict[tuple[str, str], list[float]] = field(default_factory=dict)


def _tables(client: Any) -> None:
    for name in IMPLEMENTATIONS:
        create_table(
            client, f"cmp-{name}", hash_key="item_id", owner_index=("by_owner", "owner_id")
        )


def run(server: EmbeddedDynamoDB, iterations: int) -> Figures:
    """Every operation of every implementation, `iterations` times each, interleaved."""
    setup = boto3.client("dynamodb", **server.client_kwargs())
    _tables(setup)
    impls: dict[str, Impl] = {}
    counters: dict[str, Counter] = {}
    for name, make in IMPLEMENTATIONS.items():
        counters[name] = Counter()
        impls[name] = make(server, f"cmp-{name}", counters[name])
        for i in range(SEEDED):
            impls[name].seed(f"listed-{i}", LISTER)
    figures = Figures()
    operations = list(next(iter(impls.values())).ops)
    for op in operations:
        for i in range(iterations):
            for name, impl in impls.items():
                prepare, call = impl.ops[op]
                arg = prepare(i)
                counter = counters[name]
                counter.ops.clear()
                counter.on = True
                start = time.perf_counter()
                call(arg)
                elapsed = time.perf_counter() - start
                counter.on = False
                figures.seconds.setdefault((op, name), []).append(elapsed)
                figures.requests.setdefault((op, name), list(counter.ops))
                if counter.ops != figures.requests[(op, name)]:
                    raise AssertionError(f"{name} {op}: requests vary: {counter.ops}")
    return figures


def table(figures: Figures) -> str:
    """The Markdown table for bench/README.md: requests, median µs, and time against boto3."""
    names = list(IMPLEMENTATIONS)
    others = [n for n in names if n != "boto3"]
    ops = list(dict.fromkeys(op for op, _ in figures.seconds))
    head = ["operation", *(f"{n} requests" for n in names), *(f"{n} median µs" for n in names)]
    head += [f"{n} / boto3" for n in others]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for op in ops:
        median = {n: statistics.median(figures.seconds[(op, n)]) for n in names}
        row = [op]
        row += [
            f"{len(figures.requests[(op, n)])} ({', '.join(figures.requests[(op, n)])})"
            for n in names
        ]
        row += [f"{median[n] * 1e6:.0f}" for n in names]
        row += [f"{median[n] / median['boto3']:.2f}" for n in others]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200, help="calls per operation")
    parser.add_argument("--json", action="store_true", help="raw figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.iterations <= 5000:
        parser.error("--iterations must be between 1 and 5000")
    with EmbeddedDynamoDB() as server:
        os.environ.update(server.env())
        figures = run(server, args.iterations)
    if args.json:
        out = {
            f"{op} {name}": {
                "requests": figures.requests[(op, name)],
                "median_us": statistics.median(secs) * 1e6,
            }
            for (op, name), secs in figures.seconds.items()
        }
        print(json.dumps(out, indent=2))
    else:
        print(table(figures))


if __name__ == "__main__":
    main()
