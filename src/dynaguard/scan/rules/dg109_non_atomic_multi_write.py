"""Two or more writes on one request path outside a transaction.

## What it does
Follows what a route does, helpers included, and reports each write (`put_item`,
`update_item`, `delete_item`) that follows another write of the same request when they
are not in one `transact_write_items`: a rename done as delete plus put, a transfer
done as debit plus credit, an item created and a counter bumped. Writes on exclusive
branches (`if`/`else`, a compensating `except`) are not a sequence.

## Why is this bad?
Each write commits on its own. When the process dies, times out or hits a throttling
error between them, the first write stays and the second never happens: money debited
and never credited, a file deleted and never re-created, a counter that counts an
attachment that does not exist. Retrying the request does not repair it.

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
The guard library's `table.transaction()` builds one, ownership conditions included.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
- https://cwe.mitre.org/data/definitions/662.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import Event, events
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import FunctionInfo, HandleKind
from dynaguard.scan.report import at_call, meta, where

SINGLE = frozenset({"put_item", "update_item", "delete_item"})


@register(
    id="DG109",
    name="non-atomic-multi-write",
    title="Several writes of one request outside a transaction",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe="CWE-662",
    owasp_api="API6:2023",
    fix="Group the writes into one transact_write_items (guard library: table.transaction()), "
    "each with its condition.",
)
def check(project: Project) -> Iterator[Finding]:
    """Every write of a route that follows an earlier, non-exclusive write."""
    m = meta("DG109")
    seen: set[int] = set()
    for route in project.routes:
        writes = [e for e in events(project, route) if _single_write(e)]
        for i, ev in enumerate(writes):
            first = next((w for w in writes[:i] if not _exclusive(w, ev)), None)
            if first is None or ev.call is None or id(ev.node) in seen:
                continue
            seen.add(id(ev.node))
            assert first.call is not None
            yield at_call(
                m,
                ev.call,
                route,
                f"second write of the request (after the {first.call.operation} at line "
                f"{first.line}) outside a transaction: a failure in between leaves the first",
                evidence={"first_write": where(first)},
            )


def _single_write(ev: Event) -> bool:
    call = ev.call
    return (
        ev.kind == "write"
        and call is not None
        and call.operation in SINGLE
        and call.handle.kind is not HandleKind.BATCH_WRITER
        and not _in_dependency(ev)
    )


def _in_dependency(ev: Event) -> bool:
    # a dependency's own bookkeeping (a session's last_seen) does not depend on the route's
    # write; dependencies are entered with no call node
    frame: Frame | None = ev.frame
    while frame is not None and frame.caller is not None:
        if frame.call is None:
            return True
        frame = frame.caller
    return False


def _trail(ev: Event) -> list[tuple[FunctionInfo | None, ast.AST | None]]:
    """(function, node) from the route down to the event: where each frame was entered."""
    out: list[tuple[FunctionInfo | None, ast.AST | None]] = []
    frame: Frame | None = ev.frame
    node: ast.AST | None = ev.node
    while frame is not None:
        out.insert(0, (frame.fn, node))
        node, frame = frame.call, frame.caller
    return out


def _exclusive(a: Event, b: Event) -> bool:
    """Whether two writes sit on branches of one statement that never both run."""
    for (fa, na), (fb, nb) in zip(_trail(a), _trail(b), strict=False):
        if fa is not fb or fa is None or na is None or nb is None:
            return False
        if na is not nb:  # the first function where the two paths part
            return _branches(fa.node, na, nb)
    return False


def _branches(root: ast.AST, a: ast.AST, b: ast.AST) -> bool:
    for node in ast.walk(root):
        sides: list[list[ast.AST]]
        if isinstance(node, ast.If):
            sides = [[*node.body], [*node.orelse]]
        elif isinstance(node, ast.Try):
            sides = [[*node.body, *node.orelse], [*node.handlers]]
        else:
            continue
        if _within(sides[0], a) and _within(sides[1], b):
            return True
        if _within(sides[0], b) and _within(sides[1], a):
            return True
    return False


def _within(stmts: list[ast.AST], node: ast.AST) -> bool:
    return any(n is node for s in stmts for n in ast.walk(s))
