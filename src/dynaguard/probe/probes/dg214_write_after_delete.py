"""A deleted object is still readable, or an update brings it back as a partial item.

## What it does
With `--active`, on an object the run created: deletes it (as the identity that may),
then reads it, then sends an update to its path. Reported on the DELETE when the read
after a successful delete still answers the object, and on the update when it succeeds
and a read shows the object exists again (recreated with only the updated fields).

## Why is this bad?
A delete that only hides an object from some routes keeps data the user asked to erase
(and leaks it through the routes that forgot the flag). An update that recreates a
deleted object makes a half-formed item with no owner or invariants -- in DynamoDB,
`update_item` without `attribute_exists(<key>)` is an upsert.

## Example
```python
@app.patch("/licenses/{title}/")
def patch(title: str, body: LicensePatch):
    table.update_item(Key={"title": title}, UpdateExpression="SET seats = :s", ...)
```

## Use instead
```python
    table.update_item(
        Key={"title": title},
        UpdateExpression="SET seats = :s",
        ConditionExpression="attribute_exists(title)",
        ...
    )  # ConditionalCheckFailedException -> 404
```
`dynaguard.guard` conditions updates on the item existing.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
- https://cwe.mitre.org/data/definitions/672.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, update_body
from dynaguard.probe.creating import deleters
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj


@register(
    id="DG214",
    name="write-after-delete",
    title="A deleted object is still readable, or an update recreates it",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-672",
    owasp_api="API1:2023",
    fix="Delete for real (or filter the deleted flag on every read route), and condition "
    "updates on attribute_exists(<key>) so a missing item answers 404; see dynaguard.guard.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Delete, then read and update; the object answering again is the proof."""
    findings: list[Finding] = []
    if not ctx.active:
        return findings
    for res in ctx.resources:
        creator = ctx.creator(res)
        if res.delete is None or res.read is None or res.singleton or creator is None:
            continue
        obj, _ = await ctx.create(res, creator)
        if obj is None:
            continue
        findings += await _after_delete(ctx, obj)
    return findings


async def _after_delete(ctx: ProbeContext, obj: Obj) -> list[Finding]:
    res, owner = obj.resource, ctx.identity(obj.owner)
    assert res.delete is not None and res.read is not None
    who: Identity | None = None
    gone = None
    for ident in deleters(ctx, obj):
        gone = await ctx.send(ident, res.delete, obj.path)
        if gone.ok:
            who = ident
            break
    if who is None or gone is None:
        return []
    obj.deleted = True
    found: list[Finding] = []
    still = await ctx.read(obj, owner)
    if still is not None and still.ok and obj.id in still.response_body:
        obj.deleted = False  # the API keeps it: the cleanup deletes it again (or reports it)
        found.append(
            ctx.finding(
                "DG214",
                res.delete,
                f"{obj.path} still answers {still.status} with the object after its DELETE "
                f"answered {gone.status}.",
                [gone, still],
                object=obj.path,
            )
        )
        return found
    op = res.update
    if op is None:
        return found
    body, _ = update_body(ctx, op, who, obj.body)
    upsert = await ctx.send(who, op, obj.path, body=body)
    back = await ctx.read(obj, who)
    if upsert.ok and back is not None and back.ok:
        obj.deleted = False  # recreated: the cleanup removes it again
        found.append(
            ctx.finding(
                "DG214",
                op,
                f"{op.method} {obj.path} after its DELETE answered {upsert.status} and the "
                f"object exists again (read answers {back.status}): the update recreated it.",
                [gone, upsert, back],
                object=obj.path,
            )
        )
    return found
