"""Two or more writes on one request path outside a transaction.

## What it does
Follows what a route does, helpers included, and reports each write (`put_item`,
`update_item`, `delete_item`, a whole transaction or batch call) that follows another
write of the same request when they are not in one `transact_write_items`: a rename done
as delete plus put, a transfer done as debit plus credit, an item created and a counter
bumped. A write a loop repeats over a count or a fixed list (`for week in
range(body.weeks): put_item(...)`: a recurring booking's weeks) is such a series too; a
loop over a collection's elements (bulk rows, a query's items) is not. A batch writer's
puts and deletes are one step: children deleted in a batch, then their parent, are two.
Writes on exclusive branches (`if`/`else`) are not a sequence, and a write in an `except`
clause (a saga's compensating undo) is recovery, not a step.

## Why is this bad?
Each write commits on its own. When the process dies, times out or hits a throttling
error between them, the first write stays and the second never happens: money debited
and never credited, a file deleted and never re-created, a counter that counts an
attachment that does not exist, an idempotency key claimed for work never done. Retrying
the request does not repair it.

## Example
```python
accounts.update_item(Key={"id": src}, UpdateExpression="SET balance = balance - :a", ...)
accounts.update_item(Key={"id": dst}, UpdateExpression="SET balance = balance + :a", ...)
```

## Use instead
```python
client.transact_write_items(TransactItems=[
    {"Update": {"TableName": "accounts", "Key": {"id": {"S": src}}, ...}},
    {"Update": {"TableName": "accounts", "Key": {"id": {"S": dst}}, ...}},
])
```
The guard library's `OwnedTable.transaction()` builds one, ownership conditions included.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
- https://cwe.mitre.org/data/definitions/662.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.loops import repeated
from dynaguard.scan.queries.routes import exclusive, in_dependency, in_handler

# a transaction or a batch is one step of the sequence: an idempotency key put, then the
# transaction that does the work, can fail in between as two puts can
STEPS = frozenset(
    {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}
)


@register(
    id="DG109",
    name="non-atomic-multi-write",
    title="Several writes of one request outside a transaction",
    severity=q.Severity.MEDIUM,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-662",
    owasp_api="API6:2023",
    fix="Group the writes into one transact_write_items (guard library: OwnedTable.transaction()), "
    "each with its condition.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Every write of a route that follows an earlier, non-exclusive write."""
    rule = q.meta("DG109")
    seen: set[tuple[str, int]] = set()
    for route in q.routes(project):
        writes = _one_per_batch([e for e in q.flow(project, route) if _step(e)])
        for i, ev in enumerate(writes):
            first = next((w for w in writes[:i] if not exclusive(w, ev)), None)
            # a write alone on its path, that a loop repeats (the route's other writes
            # already make a sequence, reported at the later one)
            alone = first is None and all(exclusive(w, ev) for w in writes if w is not ev)
            loop = repeated(ev) if alone and "WEBSOCKET" not in route.methods else None
            if (first is None and loop is None) or ev.call is None:
                continue
            if (ev.call.path, ev.call.line) in seen:
                continue  # one finding per write, however many routes reach it
            seen.add((ev.call.path, ev.call.line))
            if first is not None and first.call is not None:
                yield q.finding(
                    rule,
                    ev.call,
                    route,
                    f"second write of the request (after the {first.call.operation} at "
                    f"{_at(first.call, ev.call)}) outside a transaction: a failure in between "
                    "leaves the first",
                    evidence={"first_write": q.event_location(first)},
                )
            elif loop is not None:
                yield q.finding(
                    rule,
                    ev.call,
                    route,
                    f"write repeated by the loop at line {loop.lineno}, one commit per "
                    "iteration outside a transaction: a failure part-way leaves the first ones",
                    evidence={"loop_line": loop.lineno},
                )


def _one_per_batch(writes: list[q.Event]) -> list[q.Event]:
    """A batch writer's puts and deletes are one step, the first of them standing for it."""
    batch = [w for w in writes if w.call and w.call.handle.kind is q.HandleKind.BATCH_WRITER]
    return [w for w in writes if w not in batch[1:]]


def _at(first: q.DynamoCall, second: q.DynamoCall) -> str:
    # the first write's line, and its file when the two are written in different files
    return f"line {first.line}" if first.path == second.path else f"{first.path}:{first.line}"


def _step(ev: q.Event) -> bool:
    # a dependency's own bookkeeping (a session's last_seen) does not depend on the route's
    # write; a write in an except clause is recovery (a saga's undo), not a step
    call = ev.call
    batch = call is not None and call.handle.kind is q.HandleKind.BATCH_WRITER
    return (
        (ev.kind == "write" or batch)  # a batch writer's put or delete: one batch step
        and call is not None
        and (call.operation in STEPS or batch)
        and not in_dependency(ev)
        and not in_handler(ev)
    )
