"""Another identity updates or deletes the owner's object (BOLA on write), shown by read-back.

## What it does
With `--active`, on objects this run created for the owner: the attacker sends the
update (PUT/PATCH) with its own marker, and the owner reads the object back; then the
attacker DELETEs a second owner object, and the owner reads it back. The operation is
reported only when the owner's read-back shows the attacker's change (the marker, or a
404 after the delete) — a 2xx alone proves nothing.

## Why is this bad?
Write-BOLA lets any user modify or destroy other users' data. It is the most damaging
form of broken object level authorization and the one black-box tools rarely report,
because proving it needs a second identity and a read-back.

## Example
```python
@app.delete("/notes/{note_id}")
def delete_note(note_id: str, user: User = Depends(current_user)):
    table.delete_item(Key={"note_id": note_id})
```

## Use instead
```python
@app.delete("/notes/{note_id}")
def delete_note(note_id: str, user: User = Depends(current_user)):
    table.delete_item(
        Key={"note_id": note_id},
        ConditionExpression="#o = :me",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":me": user.id},
    )  # ConditionalCheckFailedException -> 404
```
`dynaguard.guard` folds the ownership check into the condition for you.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, if_match, shows, update_body
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Resource


@register(
    id="DG202",
    name="bola-write",
    title="Another identity can modify or delete the owner's object",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Put the ownership check in the write's ConditionExpression (one round trip, no "
    "race) and map ConditionalCheckFailedException to 404; see dynaguard.guard.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """B updates and deletes A's created objects; A's read-back is the proof."""
    owner, attacker = ctx.owner, ctx.attacker
    if not ctx.active or owner is None or attacker is None:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        findings += await _update(ctx, res, owner, attacker)
        findings += await _delete(ctx, res, owner, attacker)
    return findings


async def _update(
    ctx: ProbeContext, res: Resource, owner: Identity, attacker: Identity
) -> list[Finding]:
    op = res.update
    # The run's own objects, else the owner's own user resource (restored at the end).
    objs = [o for o in ctx.objects_of(owner, res) if o.created or (o.profile and o.original)]
    if op is None or not objs:
        return []
    obj = objs[0]
    before = await ctx.read(obj, owner)
    state = before.json if before is not None and before.ok else obj.body
    body, marker = update_body(ctx, op, attacker, state)
    attempt = await ctx.send(attacker, op, obj.path, body=body, headers=if_match(before))
    after = await ctx.read(obj, owner)
    if after is None or not shows(after, marker):
        return []
    return [
        ctx.finding(
            "DG202",
            op,
            f"{attacker.name} changed {owner.name}'s object {obj.path} "
            f"(HTTP {attempt.status}); {owner.name}'s read-back shows {attacker.name}'s data.",
            [e for e in (before, attempt, after) if e is not None],
            owner=owner.name,
            attacker=attacker.name,
            object=obj.path,
            marker=marker,
        )
    ]


async def _delete(
    ctx: ProbeContext, res: Resource, owner: Identity, attacker: Identity
) -> list[Finding]:
    op = res.delete
    if op is None or res.read is None:
        return []
    # A fresh object: the attack may succeed, and no other probe should lose its object.
    obj, _ = await ctx.create(res, owner)
    if obj is None:
        return []
    before = await ctx.read(obj, owner)
    if before is None or not before.ok:
        return []
    attempt = await ctx.send(attacker, op, obj.path)
    after = await ctx.read(obj, owner)
    if after is None or after.status not in (404, 410):
        return []
    obj.deleted = True
    return [
        ctx.finding(
            "DG202",
            op,
            f"{attacker.name} deleted {owner.name}'s object {obj.path} (HTTP {attempt.status}); "
            f"{owner.name}'s read-back answers {after.status}.",
            [before, attempt, after],
            owner=owner.name,
            attacker=attacker.name,
            object=obj.path,
        )
    ]
