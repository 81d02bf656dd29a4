"""Check on a read item, then a write that does not re-assert it.

## What it does
Follows each route's reads, checks and writes in order (through helper functions such as
`ensure_owns(item_id, user)`) and reports a write whose condition does not re-assert an
attribute that an earlier check compared on the item it read (owner, status, version...).
When the write sits in a helper that writes no condition of its own (a repository's
`set_credits`), the finding is at the caller that checked, with the chain down to the write.
A fixed step of a counter on an item its condition requires (`ADD votes :one` under
`attribute_exists`) is not reported: it loses nothing the check decided. Nor is a write
under a version lock (PynamoDB's `VersionAttribute`, or by hand: the condition holds
`version` to the value read and the update steps it), a write to another table, or a
write after a helper whose every path past its check raises (an idempotency replay), or
a check on a type tag (`entity == "USER"` where every write of `entity` is a constant in
a new item's put): what kind an item is does not change while it lives.

## Why is this bad?
Between the read and the write another request can change the owner or the state: the
check passed on data that is no longer true (time-of-check to time-of-use). The write then
moves an item that was just given away, closes an order twice, or edits a locked record.

## Example
```python
item = table.get_item(Key={"id": item_id})["Item"]
if item["owner"] != user.id:
    raise HTTPException(403)
table.update_item(Key={"id": item_id}, UpdateExpression="SET title = :t",
                  ExpressionAttributeValues={":t": body.title})
```

## Use instead
```python
table.update_item(Key={"id": item_id}, UpdateExpression="SET title = :t",
                  ConditionExpression="#owner = :me",
                  ExpressionAttributeNames={"#owner": "owner"},
                  ExpressionAttributeValues={":t": body.title, ":me": user.id})
```
The guard library's `OwnedTable.update(key, changes, owner=user.id)` folds the owner into
the condition in one round trip.

## References
- https://cwe.mitre.org/data/definitions/367.html
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries import writes as w
from dynaguard.scan.queries.counters import counter_step
from dynaguard.scan.query import JSON, Confidence, Finding, Project, Severity


@register(
    id="DG102",
    name="check-then-act",
    title="Checked state not re-asserted in the write's condition",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe="CWE-367",
    owasp_api="API1:2023",
    fix="Move the check into the write's ConditionExpression (owner, status or version), "
    "e.g. with the guard library's conditional update.",
)
def check(project: Project) -> Iterator[Finding]:
    """Writes after a check on the read item whose condition does not repeat the check."""
    m = q.meta("DG102")
    for call in q.operations(project):
        if call.operation not in w.OPS:
            continue
        for site in q.sites(project, call):
            if counter_step(project, call, site):
                continue  # a fixed step of a counter on an item that must exist: stale-proof
            found = w.check_then_act_at(project, site, call)
            if found is None:
                continue
            chk, _, decision = found
            names: list[JSON] = [*sorted(chk.attrs)]
            attrs = ", ".join(sorted(chk.attrs))
            evidence: dict[str, JSON] = {"check": q.event_location(chk), "attributes": names}
            if decision is not None:  # a helper writes; this caller checked and decides
                yield w.at_caller(
                    m,
                    decision,
                    f"{attrs} is checked on the item read at line {chk.line}, then "
                    f"{call.operation} runs through helpers without re-asserting it",
                    evidence=evidence,
                )
                continue
            yield q.finding(
                m,
                call,
                site.route,
                f"{attrs} is checked on the item read at line {chk.line}, but this "
                f"{call.operation} does not re-assert it in its condition",
                evidence=evidence,
            )
