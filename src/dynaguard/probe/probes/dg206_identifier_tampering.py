"""An update whose body id differs from the path id touches or moves the other key.

## What it does
With `--active`, the owner creates two objects X and Y, then updates X (`PUT /things/X`)
with a body that carries Y's id in the id property and a new marker. Reported when the
read-back of Y shows the marker (the write went to the body's key), or X is gone after
the update (the key moved).

## Why is this bad?
When a handler takes the key from the body instead of the path, the ownership check on
the path id protects nothing: the write lands on whatever id the client put in the
body — another user's object, or a new key that bypasses create-time checks.

## Example
```python
@app.put("/notes/{note_id}")
def update(note_id: str, note: NoteIn, user: User = Depends(current_user)):
    check_owner(note_id, user)
    table.put_item(Item={**note.model_dump(), "owner": user.id})  # note.note_id is the key
```

## Use instead
```python
    table.put_item(Item={**note.model_dump(exclude={"note_id"}), "note_id": note_id,
                         "owner": user.id}, ConditionExpression="#o = :me", ...)
```
Take keys from the path (or the principal), never from the body.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from dataclasses import replace

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, if_match, shows, update_body
from dynaguard.probe.heuristics import norm
from dynaguard.probe.resources import Obj, fill, id_keys


@register(
    id="DG206",
    name="identifier-tampering",
    title="A body id different from the path id is accepted and touches the other key",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Take the key from the path or the principal and ignore (or reject) ids in the "
    "body; condition the write on the path key's owner.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """PUT X with Y's id in the body; Y changed or X moved is the proof."""
    owner = ctx.owner
    if not ctx.active or owner is None:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        op = res.update
        if op is None:
            continue
        # Two fresh twins: same age and version, so only the id differs between them.
        x, _ = await ctx.create(res, owner)
        y, _ = await ctx.create(res, owner) if x is not None else (None, None)
        key = _id_property(x) if x is not None else None
        if x is None or y is None or key is None:
            continue
        seen = await ctx.read(x, owner)
        state = seen.json if seen is not None and seen.ok else x.body
        body, marker = update_body(ctx, op, owner, state, **{key: _typed(x, key, y.id)})
        attempt = await ctx.send(owner, op, x.path, body=body, headers=if_match(seen))
        target = y
        if not attempt.ok and x.id.isdigit() and isinstance(body, dict):
            # The body id taken as the new key collided with Y (409/500): a free id shows it.
            target = _moved_to(x, str(int(y.id) + 7919))
            body[key] = _typed(x, key, target.id)
            attempt = await ctx.send(owner, op, x.path, body=body, headers=if_match(seen))
            ctx.objects.append(target)  # if it moved there, the cleanup deletes it
            ctx.client.own(target.path)
        y_back = await ctx.read(target, owner)
        x_back = await ctx.read(x, owner)
        touched = shows(y_back, marker)
        moved = attempt.ok and x_back is not None and x_back.status in (404, 410)
        if moved:
            x.deleted = True
        if touched or moved:
            what = f"wrote to {target.path}" if touched else f"moved {x.path} away"
            findings.append(
                ctx.finding(
                    "DG206",
                    op,
                    f"{op.method} {x.path} with body {key}={target.id!r} {what} "
                    f"(HTTP {attempt.status}).",
                    [e for e in (attempt, y_back, x_back) if e is not None],
                    path_id=x.id,
                    body_id=target.id,
                )
            )
    return findings


def _id_property(obj: Obj) -> str | None:
    body = obj.body if isinstance(obj.body, dict) else {}
    wanted = [norm(k).replace("_", "") for k in id_keys(obj.resource)]
    for name in wanted:
        for key in body:
            if norm(key).replace("_", "") == name:
                return key
    return None


def _typed(obj: Obj, key: str, value: str) -> JSON:
    """The id as the object shows it: an integer id goes back as an integer."""
    current = obj.body.get(key) if isinstance(obj.body, dict) else None
    return int(value) if isinstance(current, int) and value.lstrip("-").isdigit() else value


def _moved_to(obj: Obj, oid: str) -> Obj:
    """Where the object would be if the update moved it to `oid` (tracked for the cleanup)."""
    params = {**obj.params, obj.resource.id_param or "id": oid}
    path = fill(obj.resource.item or "", params)
    return replace(obj, id=oid, path=path, params=params, created=True, deleted=False)
