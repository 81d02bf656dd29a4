"""A child resource is reachable, or writable, under a parent it does not belong to.

## What it does
On nested resources (`/projects/{project_id}/tasks/{task_id}`): the owner's child object
under parent P1 is read under the owner's other parent P2 (`/projects/P2/tasks/T`);
with `--active`, it is also updated there with a marker, and read back at its real path.
Reported on the read when the wrong-parent path answers the child, and on the update
when the real path shows the marker. Both parents are the owner's own, so the only
check missing is the one that ties the child to its parent.

## Why is this bad?
A handler that checks the caller may see the parent, then loads the child by its own id
alone, lets anyone with any parent reach every child: the parent check protects nothing
(RESTler's "resource hierarchy" checker). In DynamoDB it is a child table keyed by the
child id only, with the parent an unchecked attribute.

## Example
```python
@app.get("/projects/{project_id}/tasks/{task_id}")
def read(project_id: str, task_id: str, me: User = Depends(current_user)):
    project_of(project_id, me)                       # the parent is mine...
    return tasks.get_item(Key={"TaskId": task_id})["Item"]  # ...any task at all
```

## Use instead
```python
    item = tasks.get_item(Key={"TaskId": task_id}).get("Item")
    if item is None or item["ProjectId"] != project_id:
        raise HTTPException(404)
```
Or key the child by its parent (`pk = project_id, sk = task_id`).

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, shows, update_body
from dynaguard.probe.resources import Obj, Resource, fill


@register(
    id="DG215",
    name="hierarchy-bypass",
    title="A child is reachable under a parent it does not belong to",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Check that the child belongs to the parent in the path (or key children by "
    "their parent) on every read and write of the child.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """The owner's child read and written under the owner's other parent."""
    owner = ctx.owner
    findings: list[Finding] = []
    if owner is None or not ctx.active:
        return findings
    for res in ctx.resources:
        parent = res.parent
        if parent is None or res.read is None or res.item is None or res.create is None:
            continue
        child, _ = await ctx.create(res, owner)
        other, _ = await ctx.create(parent, owner) if child is not None else (None, None)
        if child is None or other is None:
            continue
        findings += await _bypass(ctx, res, child, other)
    return findings


async def _bypass(ctx: ProbeContext, res: Resource, child: Obj, other: Obj) -> list[Finding]:
    owner = ctx.identity(child.owner)
    assert res.read is not None and res.item is not None
    # The child's own id, with the other parent's values for every parent parameter.
    params = {**child.params, **{k: v for k, v in other.params.items() if k in child.params}}
    wrong = fill(res.item, params)
    if wrong == child.path:
        return []
    ctx.client.own(wrong)  # the same object of the run's, under another of its parents
    found: list[Finding] = []
    real = await ctx.read(child, owner)
    stray = await ctx.send(owner, res.read, wrong)
    if real is not None and real.ok and stray.ok and shows(stray, child.id):
        found.append(
            ctx.finding(
                "DG215",
                res.read,
                f"{child.path} is also answered under another parent: {wrong} "
                f"(HTTP {stray.status}).",
                [real, stray],
                object=child.path,
                other_parent=other.path,
            )
        )
    op = res.update
    if op is None:
        return found
    body, marker = update_body(ctx, op, owner, real.json if real is not None else child.body)
    attempt = await ctx.send(owner, op, wrong, body=body)
    back = await ctx.read(child, owner)
    if attempt.ok and shows(back, marker):
        found.append(
            ctx.finding(
                "DG215",
                op,
                f"{op.method} {wrong} (another parent) changed {child.path}: its read-back "
                "shows the marker.",
                [e for e in (attempt, back) if e is not None],
                object=child.path,
                other_parent=other.path,
            )
        )
    return found
