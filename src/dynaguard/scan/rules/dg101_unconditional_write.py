"""Write without a ConditionExpression.

## What it does
Finds `update_item`, `delete_item` and `put_item` calls (boto3 resource or client,
aioboto3, PynamoDB `save`/`update`/`delete`, calls offloaded with `asyncio.to_thread`,
`run_in_threadpool` or `run_in_executor`) that no condition protects, including wrappers
whose callers pass `condition_expression=None`. When the write sits in a project helper
(a repository's `save_order`, a generic base's `create_item`) and a caller reads the item
and writes it back, or checks that it exists before creating it, that caller's line is
reported too, with the chain of helper calls as evidence: the caller took the decision.
A write after a check that its condition does not re-assert is left to DG102, unless it
stores a step computed in Python from the value read (`usage.exports = usage.exports + 1`
then `usage.save()`): that increment is lost to a concurrent one whatever the check.

## Why is this bad?
DynamoDB applies an unconditioned write whatever the item holds now. Two requests that
read the same item and write it back lose one update; an existence check followed by an
update re-creates an item deleted in between; a `put_item` replaces every attribute of an
existing item, silently wiping the ones the request did not send. A put whose key the
server has just made unique (a random UUID, a ULID, a secrets token; no key attribute from
the request) replaces nothing and is not reported (where the table's key is known only by
names, a key-like field the request may leave `None` refers to another item: DynamoDB
refuses a null key); a key from a clock or a counter, which
can repeat, is reported at low severity.

## Example
```python
item = table.get_item(Key={"id": item_id})["Item"]
item["quantity"] -= 1
table.put_item(Item=item)  # another request's decrement is lost
```

## Use instead
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET quantity = quantity - :one",
    ConditionExpression="quantity >= :one",
    ExpressionAttributeValues={":one": 1},
)
```
With the guard library: `OwnedTable.update(key, changes, owner=user.id,
expected_version=v)` (owner and version in the condition) or
`OwnedTable.create(item, owner=user.id)` (create-only put).

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries import writes as w
from dynaguard.scan.queries.fresh import new_item
from dynaguard.scan.query import Confidence, Finding, Project, Severity


@register(
    id="DG101",
    name="unconditional-write",
    title="Write without a ConditionExpression",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-362",
    owasp_api="API6:2023",
    fix="Add a ConditionExpression (attribute_not_exists for creates, a version or the state "
    "you read for updates and deletes), or use the guard library's conditional writes.",
)
def check(project: Project) -> Iterator[Finding]:
    """Unconditioned puts, updates and deletes, and the callers that decide them."""
    m = q.meta("DG101")
    for call in q.operations(project):
        if call.operation not in w.OPS:
            continue
        bare = [s for s in q.sites(project, call) if w.unconditional(project, call, s)]
        if not bare or w.atomic(project, call, bare[0]):
            continue
        old = [s for s in bare if not new_item(project, call, s)]
        if not old:
            continue  # a key made unique just now: nothing exists to be replaced
        acts = [w.check_then_act_at(project, s, call) for s in bare]
        yield from _at_callers(project, call, bare, acts)
        if any(a is not None and a[2] is None for a in acts) and not any(
            w.stepped_in_python(project, call, s) for s in old
        ):
            continue  # DG102 reports it, with the check that should have been the condition
        site = old[0]  # judged where it can replace an item
        severity, why = w.judge(project, call, site)
        routes = sorted({s.route.label for s in old if s.route})
        yield q.finding(
            m,
            call,
            site.route,
            f"{call.operation} without a condition: {why}",
            evidence={"routes": list(routes)} if routes else None,
            severity=severity,
        )


def _at_callers(
    project: Project,
    call: q.DynamoCall,
    bare: list[q.Site],
    acts: list[tuple[q.Event, q.Event, w.Decision | None] | None],
) -> Iterator[Finding]:
    """A caller that reads and writes back, or checks existence, through the helpers."""
    m = q.meta("DG101")
    for site, act in zip(bare, acts, strict=True):
        for d in w.caller_writes(project, call, site):
            if act is not None and act[2] is not None and act[2].at is d.at:
                continue  # DG102 reports this caller
            if d.anchor.kind == "read":
                why = "it writes back an item it read, so a concurrent update in between is lost"
            else:
                why = "it checks the item's existence first, which can change before the write"
            yield w.at_caller(
                m,
                d,
                f"{call.operation} through {len(d.chain) - 1} helper call(s) without a "
                f"condition, decided here: {why}",
            )
