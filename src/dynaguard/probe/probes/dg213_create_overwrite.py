"""A create with an existing object's client-chosen key replaces that object.

## What it does
With `--active`, on resources whose objects are keyed by a value the client sends
(`POST /licenses/ {"title": ...}` read back at `/licenses/{title}/`): the owner creates
an object, then sends a second create with the same key and a new marker. Reported when
the second create succeeds and the read-back of the first object shows the new marker
(it was replaced), or when the second create answers 5xx. Only the run's own objects are
ever overwritten.

## Why is this bad?
A create that silently replaces an existing object destroys another user's data (or
takes it over: the new owner is whoever created last) without any update permission
check. In DynamoDB it is a `put_item` without `attribute_not_exists` on the key.

## Example
```python
@app.post("/licenses/")
def create(body: LicenseIn, user: User = Depends(current_user)):
    table.put_item(Item={"title": body.title, "owner": user.id, ...})
```

## Use instead
```python
    table.put_item(
        Item={"title": body.title, "owner": user.id, ...},
        ConditionExpression="attribute_not_exists(title)",
    )  # ConditionalCheckFailedException -> 409 Conflict
```
`dynaguard.guard` offers create-only puts.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html#Expressions.ConditionExpressions.PreventingOverwrites
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, shows
from dynaguard.probe.creating import natural_key
from dynaguard.probe.resources import Obj, fill


@register(
    id="DG213",
    name="create-overwrite",
    title="A create with an existing object's key replaces it",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Make creates create-only: put_item with ConditionExpression "
    "attribute_not_exists(<key>) and answer 409 when it fails; see dynaguard.guard.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Create twice with one client-chosen key; the first object replaced is the proof."""
    findings: list[Finding] = []
    if not ctx.active:
        return findings
    for res in ctx.resources:
        if res.create is None or res.read is None or res.singleton:
            continue
        creator = ctx.creator(res)
        obj, _ = await ctx.create(res, creator) if creator is not None else (None, None)
        if obj is None or natural_key(res, obj.sent) != obj.id:
            continue
        finding = await _overwrite(ctx, obj)
        if finding is not None:
            findings.append(finding)
    return findings


async def _overwrite(ctx: ProbeContext, obj: Obj) -> Finding | None:
    res, ident = obj.resource, ctx.identity(obj.owner)
    sent = obj.sent if isinstance(obj.sent, dict) else {}
    key = next((k for k, v in sent.items() if str(v) == obj.id), None)
    payload = ctx.body(res.create, ident) if res.create is not None else None
    if res.create is None or key is None or not isinstance(payload, dict):
        return None
    before = await ctx.read(obj, ident)
    payload[key] = sent[key]
    markers = [v for v in payload.values() if isinstance(v, str) and v.startswith("dgp-")]
    path = fill(res.collection, obj.params)
    second = await ctx.send(ident, res.create, path, body=payload, create=True)
    after = await ctx.read(obj, ident)
    replaced = second.ok and any(shows(after, m) for m in markers if m != obj.id)
    failed = second.status is not None and second.status >= 500
    if not (replaced or failed):
        return None
    what = (
        "replaced it (the read-back shows the second body)"
        if replaced
        else f"answered {second.status} instead of 409"
    )
    return ctx.finding(
        "DG213",
        res.create,
        f"a second create with the key {obj.id!r} of the existing {obj.path} {what}.",
        [e for e in (before, second, after) if e is not None],
        object=obj.path,
        key=key,
    )
