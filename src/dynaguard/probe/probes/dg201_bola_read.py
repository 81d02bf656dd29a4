"""Another identity reads an object that belongs to the owner (BOLA / IDOR on read).

## What it does
Takes objects the first identity (the owner) created or listed, has the second identity
(the attacker) GET them, and reports the read operation when the attacker's answer is a
success that carries the owner's object: the same id, the owner's owner value or data
only the owner wrote. The owner's own read of the object is recorded beside it.

## Why is this bad?
Broken object level authorization is the first risk of the OWASP API Top 10: any user
who learns or guesses an id reads other users' data. DynamoDB has no row-level security
of its own; a `get_item` on a request-supplied key returns whatever is stored there.

## Example
```python
@app.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(current_user)):
    return table.get_item(Key={"note_id": note_id})["Item"]
```

## Use instead
```python
@app.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(current_user)):
    item = table.get_item(Key={"note_id": note_id}).get("Item")
    if item is None or item["owner"] != user.id:
        raise HTTPException(404)
    return item
```
Or key the item by owner (`pk = owner, sk = note_id`) with `dynaguard.guard`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, shows
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj, find_id, list_items


@register(
    id="DG201",
    name="bola-read",
    title="Another identity can read the owner's object",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Check the object's owner against the authenticated principal on every read "
    "(return 404 for others), or key items by owner; see dynaguard.guard.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """B GETs A's objects; a success showing A's object is the proof."""
    owner, attacker = ctx.owner, ctx.attacker
    if owner is None or attacker is None:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        op = res.read
        if op is None or res.singleton:
            continue
        for obj in ctx.objects_of(owner, res)[:2]:
            mine = await ctx.read(obj, owner)
            theirs = await ctx.read(obj, attacker)
            if mine is None or theirs is None or not mine.ok or not theirs.ok:
                continue
            same = mine.json is not None and mine.json == theirs.json
            proof = [v for v in (obj.id, ctx.owner_value(owner)) if v and shows(theirs, v)]
            if (same or len(proof) == 2) and not await _listed(ctx, obj, attacker):
                findings.append(
                    ctx.finding(
                        "DG201",
                        op,
                        f"{attacker.name} read {owner.name}'s object {obj.path} "
                        f"(HTTP {theirs.status}); the answer is {owner.name}'s data.",
                        [mine, theirs],
                        owner=owner.name,
                        attacker=attacker.name,
                        object=obj.path,
                    )
                )
                break
    return findings


async def _listed(ctx: ProbeContext, obj: Obj, attacker: Identity) -> bool:
    """Whether the attacker's own list answer already shows the object (a public directory).

    A member directory lists every member to every member: reading one of them by id
    exposes nothing the list did not (DG209 judges the list itself).
    """
    res = obj.resource
    if res.list_op is None or res.collection_params():
        return False
    ex = await ctx.send(attacker, res.list_op, res.collection)
    return ex.ok and any(find_id(res, i) == obj.id for i in list_items(ex.json))
