"""Responses carry internal properties, or other identities' objects, beyond the spec.

## What it does
Searches every successful JSON answer the run recorded for property names that look
internal or secret (password hashes, tokens, keys, internal flags, `_`-prefixed fields)
and that the operation's response schema does not declare; and checks each identity's
list answers for objects that carry another identity's owner value.

## Why is this bad?
Returning raw DynamoDB items hands out everything stored beside the fields the client
needs — hashes, tokens, internal flags — and a list that is not scoped to the caller
hands out other users' objects wholesale.

## Example
```python
@app.get("/notes/{note_id}", response_model=NoteOut)
def get_note(note_id: str):
    return JSONResponse(table.get_item(Key={"note_id": note_id})["Item"])  # bypasses NoteOut
```

## Use instead
```python
@app.get("/notes/{note_id}", response_model=NoteOut)
def get_note(note_id: str, user: User = Depends(current_user)):
    return owned_item(note_id, user)  # FastAPI filters through NoteOut
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/
- https://cwe.mitre.org/data/definitions/213.html
"""

from __future__ import annotations

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import is_sensitive
from dynaguard.probe.resources import list_items
from dynaguard.probe.spec import Operation


@register(
    id="DG209",
    name="property-overexposure",
    title="A response carries internal or other users' properties",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe="CWE-213",
    owasp_api="API3:2023",
    fix="Return response models, not raw items (FastAPI response_model filters them), "
    "and scope list queries to the caller's owner key.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Undeclared sensitive properties, or others' objects in a list answer."""
    owner = ctx.owner
    if owner is not None:
        for res in ctx.resources:
            for obj in ctx.objects_of(owner, res)[:1]:
                await ctx.read(obj, owner)
    ops = {o.route: o for o in ctx.spec.operations}
    findings: list[Finding] = []
    flagged: set[str] = set()
    for ex in list(ctx.client.log):
        op = ops.get(ex.route)
        if op is None or op.route in flagged or not ex.ok:
            continue
        extra = _undeclared_sensitive(op, ex.json)
        foreign = _foreign_objects(ctx, op, ex)
        if extra or foreign:
            flagged.add(op.route)
            why = []
            if extra:
                why.append("undeclared internal properties " + ", ".join(sorted(extra)))
            if foreign:
                why.append(f"{foreign} object(s) of another identity")
            findings.append(
                ctx.finding(
                    "DG209",
                    op,
                    f"{ex.method} {ex.url} as {ex.identity} returned " + " and ".join(why) + ".",
                    [ex],
                    properties=list[JSON](sorted(extra)),
                    foreign_objects=foreign,
                )
            )
    return findings


def _declared(schema: JSON) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    names: set[str] = set()
    props = schema.get("properties")
    if isinstance(props, dict):
        names |= set(props)
    for key in ("items", "additionalProperties"):
        names |= _declared(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        parts = schema.get(key)
        for part in parts if isinstance(parts, list) else []:
            names |= _declared(part)
    return names


def _objects(body: JSON) -> list[dict[str, JSON]]:
    items = [body, *list_items(body)] if isinstance(body, dict) else list_items(body)
    return [i for i in items if isinstance(i, dict)]


def _undeclared_sensitive(op: Operation, body: JSON) -> set[str]:
    declared = _declared(op.response_schema)
    return {k for obj in _objects(body) for k in obj if is_sensitive(k) and k not in declared}


def _foreign_objects(ctx: ProbeContext, op: Operation, ex: Exchange) -> int:
    """Objects in an identity's list answer that name another identity and not this one.

    "Name" by value, not by property: an owner property (`owner`, `customer`, `Owner`)
    holds one of the identity's own identifiers (its owner value, e-mail, username).
    """
    if op.method != "GET" or "{" in op.path.rsplit("/", 1)[-1]:
        return 0
    if ctx.identity(ex.identity).privileged:
        return 0  # a role that sees everyone's objects (staff) is what roles are for
    if any(o.profile and o.resource.list_op is op for o in ctx.objects):
        return 0  # a directory of the users themselves (members), not of their objects
    mine = ctx.identifiers(ex.identity)
    others = {v for i in ctx.identities if i.name != ex.identity for v in ctx.identifiers(i.name)}
    others -= mine
    if not mine or not others:
        return 0
    count = 0
    for obj in list_items(ex.json):
        values = {str(v) for v in obj.values()} if isinstance(obj, dict) else set()
        if values & others and not values & mine:
            count += 1
    return count
