"""Server-controlled properties sent by the client are persisted (mass assignment).

## What it does
With `--active`, creates an object (and updates one) sending, besides a valid body,
properties the server should decide: the owner property set to the attacker's owner
value, and `version`, `role`/`is_admin`, timestamps and the like when the API's objects
carry them. Reported when the read-back shows the sent value — a 2xx alone is not proof,
since a framework may accept and silently drop unknown properties.

## Why is this bad?
A client that can set `owner` gives its data to someone else or takes theirs; one that
can set `is_admin`, `version` or `created_at` bypasses authorization, optimistic locking
and audit trails. It is OWASP's broken object *property* level authorization.

## Example
```python
class NoteIn(BaseModel):
    title: str
    owner: str | None = None   # the client can set it

@app.post("/notes")
def create(note: NoteIn, user: User = Depends(current_user)):
    item = {"owner": user.id, **note.model_dump(exclude_none=True)}
    table.put_item(Item=item)
```

## Use instead
```python
class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str

item = {**note.model_dump(), "owner": user.id}   # server fields last, never from the body
```
`dynaguard.guard` refuses server-controlled fields: `OwnedTable` raises `ServerFieldError`
(422 with `install_error_handlers`) and writes nothing.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/
- https://cwe.mitre.org/data/definitions/915.html
"""

from __future__ import annotations

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext, if_match, update_body
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import SERVER_FIELDS, norm
from dynaguard.probe.resources import Obj, Resource, owner_key


@register(
    id="DG204",
    name="mass-assignment",
    title="A server-controlled property sent by the client is persisted",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-915",
    owasp_api="API3:2023",
    fix="Accept only client-owned fields in request models (extra='forbid') and set "
    "owner, ids, versions, roles and timestamps on the server; see dynaguard.guard.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Create and update with server fields; read-back showing them is the proof."""
    owner = ctx.owner
    if not ctx.active or owner is None:
        return []
    findings: list[Finding] = []
    # Throwaway objects first; the identities' own profiles last (a bad value there could
    # lock an identity out -- and the re-check after each write stops the run if it does).
    for res in sorted(ctx.resources, key=lambda r: r.singleton):
        sample = next(
            (o for o in ctx.objects_of(owner, res) if o.created or res.singleton or o.profile),
            None,
        )
        if sample is None:
            continue
        extra = _server_values(ctx, sample)
        if not extra:
            continue
        if res.create is not None and sample.created:
            findings += await _on_create(ctx, res, sample, extra)
        findings += await _on_update(ctx, res, sample, extra)
    return findings + await registration(ctx)


def _server_values(ctx: ProbeContext, sample: Obj) -> dict[str, JSON]:
    """Server-controlled properties the objects carry, with values the API itself shows.

    Only values the spec declares (an enum) or the API showed on other objects (another
    user's `role`, the other boolean); a property with none is left alone.
    """
    body = sample.body if isinstance(sample.body, dict) else {}
    out: dict[str, JSON] = {}
    key = owner_key(body)
    theirs = ctx.owner_value(ctx.attacker)
    # A profile's owner property is the identity's name: renaming it locks the run out.
    profile = sample.resource.singleton or sample.profile
    if key is not None and theirs is not None and theirs != body.get(key) and not profile:
        out[key] = theirs
    for name, current in body.items():
        if norm(name) not in SERVER_FIELDS or norm(name) == "version":
            continue
        options = [v for v in allowed_values(ctx, sample, name) if v != current]
        same_type = [v for v in options if type(v) is type(current)]
        if same_type:
            out[name] = same_type[0]
    return out


def allowed_values(ctx: ProbeContext, sample: Obj, name: str) -> list[JSON]:
    """Values for a property that the API declares (enum) or shows (observed, booleans)."""
    out: list[JSON] = []
    res = sample.resource
    for op in (res.read, res.update, res.create):
        schema = (op.response_schema if op is res.read else op.body_schema) if op else None
        out += declared_enum(schema, name)
    current = sample.body.get(name) if isinstance(sample.body, dict) else None
    if isinstance(current, bool):
        out.append(not current)
    out += ctx.observed(name)
    # Never an invented value (`role: "admin"`): an app that cannot load it back breaks
    # the account. With nothing declared or shown, the property is not written at all.
    return list({repr(v): v for v in out}.values())


def declared_enum(schema: JSON, name: str) -> list[JSON]:
    """The enum a schema declares for a property (through allOf/anyOf/oneOf)."""
    if not isinstance(schema, dict):
        return []
    props = schema.get("properties")
    prop = props.get(name) if isinstance(props, dict) else None
    out: list[JSON] = []
    options = prop.get("anyOf") if isinstance(prop, dict) else None
    for part in [prop, *(options if isinstance(options, list) else [])]:
        enum = part.get("enum") if isinstance(part, dict) else None
        out += enum if isinstance(enum, list) else []
    for key in ("allOf", "anyOf", "oneOf", "items"):
        sub = schema.get(key)
        for part in sub if isinstance(sub, list) else [sub] if isinstance(sub, dict) else []:
            out += declared_enum(part, name)
    return out


def _persisted(read: Exchange | None, extra: dict[str, JSON]) -> dict[str, JSON]:
    body = read.json if read is not None and read.ok else None
    if not isinstance(body, dict):
        return {}
    return {k: v for k, v in extra.items() if body.get(k) == v}


def _follow_owner(ctx: ProbeContext, obj: Obj, kept: dict[str, JSON]) -> None:
    """The attacker owns the object only when the read-back shows the owner moved.

    A 2xx alone proves nothing: an API that ignores the field answers 2xx too, and the
    cleanup would then delete as the wrong identity, get a 404, and leave it behind.
    """
    if ctx.attacker is not None and owner_key(obj.body) in kept:
        obj.owner = ctx.attacker.name


async def _read_any(ctx: ProbeContext, obj: Obj) -> Exchange | None:
    """Read back as the creator, then as the attacker (a moved owner hides it from the creator)."""
    first = await ctx.read(obj, ctx.identity(obj.owner))
    if first is not None and first.ok:
        return first
    return await ctx.read(obj, ctx.attacker) if ctx.attacker else first


async def _on_create(
    ctx: ProbeContext, res: Resource, sample: Obj, extra: dict[str, JSON]
) -> list[Finding]:
    owner = ctx.identity(sample.owner)
    assert res.create is not None
    body = ctx.body(res.create, owner, **extra)
    obj, created = await ctx.create(res, owner, body)
    if obj is None or created is None:
        return []
    back = await _read_any(ctx, obj)
    kept = _persisted(back, extra)
    _follow_owner(ctx, obj, kept)
    if not kept:
        return []
    return [_finding(ctx, res.create.route, kept, [created, back] if back else [created])]


async def _on_update(
    ctx: ProbeContext, res: Resource, sample: Obj, extra: dict[str, JSON]
) -> list[Finding]:
    op = res.update
    owner = ctx.identity(sample.owner)
    if op is None:
        return []
    obj = sample if res.singleton or sample.profile else (await ctx.create(res, owner))[0]
    if obj is None:
        return []
    before = await ctx.read(obj, owner)
    state = before.json if before is not None and before.ok else obj.body
    sent = {k: v for k, v in extra.items() if norm(k) != "version"}  # version: DG205's field
    if not sent:
        return []
    body, _ = update_body(ctx, op, owner, state, **sent)
    attempt = await ctx.send(owner, op, obj.path, body=body, headers=if_match(before))
    back = await _read_any(ctx, obj)
    kept = _persisted(back, sent)
    _follow_owner(ctx, obj, kept)
    if not kept:
        return []
    return [_finding(ctx, op.route, kept, [e for e in (before, attempt, back) if e])]


def _finding(ctx: ProbeContext, route: str, kept: dict[str, JSON], ex: list[Exchange]) -> Finding:
    op = next(o for o in ctx.spec.operations if o.route == route)
    names = ", ".join(sorted(kept))
    return ctx.finding(
        "DG204",
        op,
        f"{route} persisted client-sent server-controlled properties: {names} "
        "(shown by the read-back).",
        ex,
        persisted=kept,
    )


async def registration(ctx: ProbeContext) -> list[Finding]:
    """Register a throwaway account with the profile's server fields; its own read proves it."""
    from dynaguard.probe.accounts import classify, register

    _, registrations = await classify(ctx)
    profile = (
        next((o for o in ctx.objects if o.resource.singleton and o.owner == ctx.owner.name), None)
        if ctx.owner is not None
        else None
    )
    findings: list[Finding] = []
    for reg in registrations:
        extra = _server_values(ctx, profile) if profile is not None else {}
        if profile is None or profile.resource.read is None or not extra:
            ctx.skipped.setdefault(reg.op.route, "no profile with server-controlled fields")
            continue
        made = await register(ctx, reg, extra)
        if made is None:
            continue
        new, answer = made
        back = await ctx.send(new, profile.resource.read, profile.path)
        kept = _persisted(back, extra)
        if kept:
            findings.append(_finding(ctx, reg.op.route, kept, [answer, back]))
    return findings
