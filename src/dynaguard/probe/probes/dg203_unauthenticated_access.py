"""An operation that needs credentials answers without them.

## What it does
For each read operation (list and item GET) that the spec marks as secured — or, when
the spec is silent, once the API has refused a credential-less request elsewhere — sends
the request with the owner's credentials and again with none. Reported when the
credential-less answer is a success carrying the same data as the authenticated one.
With `--active`, each update, delete and item action (`PUT /things/{id}/pin`) is also
sent with no credentials on a fresh object this run created, and reported when the
owner's read-back shows the change.

## Why is this bad?
An endpoint that forgets its authentication dependency serves private data to anyone on
the network. In FastAPI this is one missing `Depends(...)`, or an optional dependency
whose `None` case skips the check.

## Example
```python
@app.get("/notes/{note_id}")
def get_note(note_id: str, user: User | None = Depends(optional_user)):
    item = table.get_item(Key={"note_id": note_id})["Item"]
    if user and item["owner"] != user.id:
        raise HTTPException(404)
    return item
```

## Use instead
```python
@app.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(current_user)):  # 401 without credentials
    ...
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
- https://cwe.mitre.org/data/definitions/306.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, shows
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import is_destructive_path
from dynaguard.probe.resources import Resource, fill
from dynaguard.probe.spec import Operation


@register(
    id="DG203",
    name="unauthenticated-access",
    title="An operation that needs credentials answers without them",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-306",
    owasp_api="API2:2023",
    fix="Require the authentication dependency on the route (no optional principal on "
    "routes that read or write user data).",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Same request with and without credentials; same private answer is the proof."""
    owner = ctx.owner
    if owner is None:
        return []
    refused = any(e.identity == "anonymous" and e.status in (401, 403) for e in ctx.client.log)
    findings: list[Finding] = []
    for targets in [*(_targets(ctx, res) for res in ctx.resources), _standalone(ctx)]:
        for op, path in targets:
            if op is None:
                continue
            mine = await ctx.send(owner, op, path)
            anon = await ctx.send(ctx.anonymous, op, path)
            refused = refused or anon.status in (401, 403)
            # Undeclared auth: only data that names the owner counts (a public list is not private).
            mine_value = ctx.owner_value(owner)
            private = op.secured or (refused and bool(mine_value) and shows(anon, mine_value or ""))
            if _same_private(mine, anon) and private:
                findings.append(
                    ctx.finding(
                        "DG203",
                        op,
                        f"{op.method} {path} answered {anon.status} with no credentials, the "
                        f"same data {owner.name} gets with theirs.",
                        [mine, anon],
                        declared_secured=op.secured,
                    )
                )
    return findings + await _writes(ctx, refused)


def _targets(ctx: ProbeContext, res: Resource) -> list[tuple[Operation | None, str]]:
    """A resource's list (when it needs no parent) and the owner's first object."""
    targets: list[tuple[Operation | None, str]] = []
    if res.list_op is not None and not res.collection_params():
        targets.append((res.list_op, res.collection))
    objs = ctx.objects_of(ctx.owner, res) if ctx.owner is not None else []
    if objs:
        targets.append((res.read, objs[0].path))
    return targets


def _standalone(ctx: ProbeContext) -> list[tuple[Operation | None, str]]:
    """GETs outside every resource (`/internal/dump`, `/metrics`): sent as they are."""
    covered = {
        o.route for r in ctx.resources for o in (r.list_op, r.read, r.create) if o is not None
    }
    return [
        (op, op.path)
        for op in ctx.spec.operations
        if op.method == "GET"
        and not op.path_params()
        and op.route not in covered
        and not any(p.required and p.location == "query" for p in op.params)
        and not is_destructive_path(op.path)
    ]


async def _writes(ctx: ProbeContext, refused: bool) -> list[Finding]:
    """With --active: each state-changing operation, sent with no credentials on a fresh object."""
    owner = ctx.owner
    findings: list[Finding] = []
    if not ctx.active or owner is None:
        return findings
    for res in ctx.resources:
        ops = [o for o in (res.replace, res.patch, *res.actions, res.delete) if o is not None]
        for op in ops:
            if not (op.secured or refused):
                continue
            obj, _ = await ctx.create(res, owner)
            if obj is None:
                break
            before = await ctx.read(obj, owner)
            path = fill(op.path, obj.params)
            body = ctx.body(op, ctx.anonymous) if op.body_schema else None
            anon = await ctx.send(ctx.anonymous, op, path, body=body)
            after = await ctx.read(obj, owner)
            if not anon.ok or before is None or after is None:
                continue
            changed = before.status != after.status or before.json != after.json
            if changed:
                findings.append(
                    ctx.finding(
                        "DG203",
                        op,
                        f"{op.method} {path} succeeded with no credentials (HTTP {anon.status}); "
                        f"{owner.name}'s read-back shows the change.",
                        [before, anon, after],
                        declared_secured=op.secured,
                    )
                )
            if after.status in (404, 410):
                obj.deleted = True
    return findings


def _same_private(mine: Exchange, anon: Exchange) -> bool:
    if not (mine.ok and anon.ok) or mine.json is None:
        return False
    # An empty list is not private data: an API may answer [] to strangers.
    return mine.json == anon.json and mine.json not in ([], {})
