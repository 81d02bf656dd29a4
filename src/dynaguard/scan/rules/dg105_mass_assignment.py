"""Server-controlled fields of a request model written to DynamoDB.

## What it does
Finds request body models (Pydantic) whose fields the server should decide — `role`,
`is_admin`, `owner_id`, a client-chosen `id`, `version`, `plan`, a quota or limit, timestamps — when
the whole model flows into `Item=` or an update's values (`put_item(Item=body.dict())`,
`{**body.model_dump()}`, a loop over `body.dict().items()`), when fields are copied one by
one (`"role": body.role`, `SET #p = :p` with `body.plan`, the low-level client's
`{"S": body.role}`, a PynamoDB item's `user.plan = body.plan` or `User(..., role=body.role)`
then `.save()`, `item.update(actions=[Model.plan.set(body.plan)])` and its `add`, `append`,
`delete` forms, `setattr` over `body.model_dump().items()`), and when the raw request body
is the item (`Item=await request.json()`).

Which attributes are the server's is decided by what the project does with them, a name only
confirming: one an authorization dependency reads (`user["role"] != "admin"`, a `settings`
map it looks into); one the server generates elsewhere (`uuid4()`, `now()`, a token, a
PynamoDB `VersionAttribute` or `default=utcnow`); a counter the server keeps (only ever
stepped by numbers the code fixes, `ADD views :one` or `Model.likes.add(1)`, and never set
from a request value); an id the request model mints with
`Field(default_factory=uuid4)`; and, when its name says privilege, one the server sets
elsewhere (a constant, the principal, a PynamoDB model's `default=`, an admin-only route),
one a write's condition guards (`owner_id = :me`), or one written to a caller's own record
(keyed by the principal alone, or in the table the app keeps callers in). A model field
with a privileged-sounding name that nothing sets, guards or reads is the client's. A
model spread after the server's values replaces those it declares (`{"owner_id": me,
**body.model_dump()}`); one that keeps undeclared fields (`extra="allow"`), any of them.

Not reported: fields excluded from the dump or popped from it (`d.pop("version")`),
overwritten from the principal or the server,
written on routes only administrators reach (unless copied into what the route's own gate
reads while the same gate elsewhere asks for more: a `require_scope("keys:write")` route
copying `scopes` mints `platform:admin`); a PynamoDB `VersionAttribute` a `save()` or
`update()` compares and stores + 1 itself; a member's role granted on a route that first
verifies the caller owns or administers the object the membership belongs to (the feature,
not mass assignment: the caller cannot raise its own privileges); the new account's
identifier a sign-up claims with `attribute_not_exists` (it overwrites nobody's); an owner
attribute set from the request after the route compared the item's owner with the caller
(a transfer: the owner gives the object away); an
attribute the project's own gets, updates or deletes name in their key (a natural key such
as a slug or a SKU the client picks, even where the server also writes that sort key): it
chooses which item is written, which DG106 and DG103 judge, unless the request model mints
it.

## Why is this bad?
The client sends `{"role": "admin"}` or another user's `owner_id` and the server stores
it: privilege escalation and ownership takeover (OWASP API3:2023, mass assignment).

## Example
```python
class ItemIn(BaseModel):
    name: str
    owner_id: str

table.put_item(Item=body.model_dump())
```

## Use instead
```python
table.put_item(Item={"id": str(uuid4()), "name": body.name, "owner_id": user.id})
```
With the guard library, a request model derived from `InputModel` refuses unknown fields,
and `OwnedTable(..., server_fields=("created_at",))` refuses the owner, version, key and
declared fields at write time (`ServerFieldError`, nothing written).

## References
- https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/
- https://cwe.mitre.org/data/definitions/915.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.keys import keyed_attributes
from dynaguard.scan.queries.mass_assignment import (
    MINTED,
    copied_fields,
    dumped_fields,
    raw_body,
    server_fields,
)
from dynaguard.scan.queries.tables import table_of
from dynaguard.scan.query import JSON, Confidence, Finding, Project, Severity


@register(
    id="DG105",
    name="mass-assignment",
    title="Request model sets server-controlled fields",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-915",
    owasp_api="API3:2023",
    fix="Copy the allowed fields explicitly, dump with exclude={...}, or overwrite owner/role/"
    "version from the principal and the server (guard library: OwnedTable's server_fields= "
    "refuses them at write time).",
)
def check(project: Project) -> Iterator[Finding]:
    """Request values written into server-controlled attributes."""
    m = q.meta("DG105")
    facts = server_fields(project)
    for call in q.operations(project):
        if call.operation not in ("put_item", "update_item"):
            continue
        for site in q.sites(project, call):
            raw = raw_body(project, call, site)
            if raw is not None:
                yield q.finding(
                    m,
                    call,
                    site.route,
                    f"the raw request body ({raw}) is written as the item: the client sets "
                    "every attribute, server-controlled ones (owner, role, id, version) included",
                    evidence={"body": raw},
                )
                break
            # a key attribute chooses the item (DG106, DG103), it is no field the item holds;
            # unless the request model itself mints it (`default_factory=uuid4`)
            table = table_of(project, call, site.frame)
            keys = keyed_attributes(project)
            exposed = [
                e
                for e in dumped_fields(project, call, site, facts)
                if (table, e[0]) not in keys or e[1] == MINTED
            ]
            copied = [
                c
                for c in copied_fields(project, call, site, facts)
                if (table, c[0]) not in keys or c[2] == MINTED
            ]
            if not exposed and not copied:
                continue
            parts: list[str] = []
            evidence: dict[str, JSON] = {}
            if exposed:
                what = ", ".join(f"{f} ({why})" for f, why in exposed)
                parts.append(
                    f"the request model's server-controlled field(s) {what} are written as "
                    "sent by the client"
                )
                evidence["fields"] = [f for f, _ in exposed]
            if copied:
                what = ", ".join(f"{a} <- {src} ({why})" for a, src, why in copied)
                parts.append(f"server-controlled attribute(s) copied from the request: {what}")
                evidence["copied"] = [a for a, _, _ in copied]
            yield q.finding(m, call, site.route, "; ".join(parts), evidence=evidence)
            break
