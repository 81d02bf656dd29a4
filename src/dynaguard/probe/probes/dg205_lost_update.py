"""Two updates based on the same read both succeed: one silently overwrites the other.

## What it does
With `--active`, on an object this run created: reads it once (keeping its version
property and ETag), then sends two updates built from that same read — each with its
own marker and the same stale version / `If-Match`. Reported when both succeed and the
read-back shows only the second: the first update was lost with no 409/412.

## Why is this bad?
Two users (or two tabs, or a retry) editing the same object overwrite each other's work
without anyone being told. In DynamoDB an `update_item`/`put_item` without a
ConditionExpression on a version attribute is last-writer-wins.

## Example
```python
@app.put("/notes/{note_id}")
def update(note_id: str, note: NoteUpdate, user: User = Depends(current_user)):
    table.put_item(Item={"note_id": note_id, "owner": user.id, **note.model_dump()})
```

## Use instead
```python
table.update_item(
    Key={"note_id": note_id},
    UpdateExpression="SET title = :t, version = :next",
    ConditionExpression="version = :seen AND #o = :me",
    ...
)  # ConditionalCheckFailedException -> 409 Conflict
```
`dynaguard.guard` provides optimistic locking with a version attribute.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html
- https://datatracker.ietf.org/doc/html/rfc9110#name-if-match
- https://cwe.mitre.org/data/definitions/362.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, shows, update_body
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj
from dynaguard.probe.spec import Operation


@register(
    id="DG205",
    name="lost-update",
    title="Two updates from the same stale state both succeed (lost update)",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-362",
    owasp_api=None,
    fix="Condition every update on the version (or ETag) the client read and answer "
    "409/412 when it changed; see dynaguard.guard optimistic locking.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Two updates from one read; both 2xx and the first lost is the proof."""
    owner = ctx.owner
    if not ctx.active or owner is None:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        obj = next((o for o in ctx.objects_of(owner, res) if o.created or res.singleton), None)
        for op in (o for o in (res.replace, res.patch) if o is not None and obj is not None):
            assert obj is not None
            finding = await _race(ctx, op, obj, owner)
            if finding is not None:
                findings.append(finding)
    return findings


async def _race(ctx: ProbeContext, op: Operation, obj: Obj, owner: Identity) -> Finding | None:
    seen = await ctx.read(obj, owner)
    if seen is None or not seen.ok:
        return None
    etag = seen.response_headers.get("etag")
    headers = {"If-Match": etag} if etag else None
    body1, first_marker = update_body(ctx, op, owner, seen.json)
    body2, second_marker = update_body(ctx, op, owner, seen.json)
    first = await ctx.send(owner, op, obj.path, body=body1, headers=headers)
    second = await ctx.send(owner, op, obj.path, body=body2, headers=headers)
    if not (first.ok and second.ok):
        return None
    back = await ctx.read(obj, owner)
    if back is None or not shows(back, second_marker) or shows(back, first_marker):
        return None
    return ctx.finding(
        "DG205",
        op,
        f"two updates of {obj.path} based on the same read both succeeded "
        f"({first.status}, {second.status}); the first was silently lost.",
        [seen, first, second, back],
        stale_etag=etag,
        lost_marker=first_marker,
    )
