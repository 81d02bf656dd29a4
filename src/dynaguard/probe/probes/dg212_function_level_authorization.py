"""A low-privilege identity performs a privileged operation on the privileged identity's object.

## What it does
Needs an identity with a role (`--identity 'root[admin]=Authorization: ...'`) and
`--active`. The privileged identity creates a fresh object in each resource; an
ordinary identity then sends each item operation to it -- update, actions such as
`POST /orders/{id}/approve`, and DELETE last. Reported when the ordinary identity's
request succeeds and the privileged identity's read-back shows the change (or the
object gone). Only objects the run created are touched.

## Why is this bad?
Broken function level authorization (OWASP API5:2023): an ordinary user deletes
catalogue items, approves orders or edits what only staff may. The route checks that
the caller is signed in, not that the caller holds the role the operation needs.

## Example
```python
@app.delete("/catalogue/{sku}")
def drop(sku: str, user: User = Depends(signed_in)):   # any signed-in user
    table.delete_item(Key={"sku": sku})
```

## Use instead
```python
def admin(user: User = Depends(signed_in)) -> User:
    if user.role != "admin":
        raise HTTPException(403)
    return user

@app.delete("/catalogue/{sku}")
def drop(sku: str, staff: User = Depends(admin)): ...
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/
- https://cwe.mitre.org/data/definitions/285.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.identities import Identity
from dynaguard.probe.probes.dg207_error_leak import HANDOVER
from dynaguard.probe.resources import Resource, fill
from dynaguard.probe.spec import Operation


@register(
    id="DG212",
    name="function-level-authorization",
    title="An ordinary identity performs a privileged operation",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-285",
    owasp_api="API5:2023",
    fix="Check the caller's role in a dependency on every privileged route (deny by "
    "default), not only that the caller is signed in.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """The role's fresh object, an ordinary identity's write; the role's read-back proves it."""
    boss = next((i for i in ctx.identities if i.privileged), None)
    plain = [i for i in ctx.identities if not i.privileged][:1]
    if not ctx.active or boss is None or not plain:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        ops = [o for o in (res.update, *res.actions) if o is not None]
        ops = [o for o in ops if not HANDOVER.search(o.path)]
        ops += [res.delete] if res.delete is not None else []
        for op in ops:
            finding = await _try(ctx, res, op, boss, plain[0])
            if finding is not None:
                findings.append(finding)
    return findings


async def _try(
    ctx: ProbeContext, res: Resource, op: Operation, boss: Identity, user: Identity
) -> Finding | None:
    if res.read is None or res.singleton:
        return None
    obj, _ = await ctx.create(res, boss)
    if obj is None:
        return None
    before = await ctx.read(obj, boss)
    if before is None or not before.ok:
        return None
    body = ctx.body(op, user) if op.body_schema else None
    attempt = await ctx.send(user, op, fill(op.path, obj.params), body=body)
    after = await ctx.read(obj, boss)
    if not attempt.ok or after is None:
        return None
    gone = after.status in (404, 410)
    if gone:
        obj.deleted = True
    if not gone and after.json == before.json:
        return None
    what = "deleted it" if gone else "changed it"
    return ctx.finding(
        "DG212",
        op,
        f"{user.name} (no role) sent {op.method} {attempt.url} on an object {boss.name} "
        f"({boss.role}) created and {what} (HTTP {attempt.status}); {boss.name}'s read-back "
        f"answers {after.status}.",
        [before, attempt, after],
        privileged=boss.name,
        role=boss.role,
        identity=user.name,
        object=obj.path,
    )
