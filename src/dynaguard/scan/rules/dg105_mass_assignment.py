"""Server-controlled fields of a request model written to DynamoDB.

## What it does
Finds request body models (Pydantic) that declare fields the server should decide —
`role`, `is_admin`, `is_superuser`, `user_type`, `owner_id`, a client-chosen `id` or
`user_id`, `version`, `created_at`, nested ones such as `settings.role` — when the whole
model flows into `Item=` or an update's values (`put_item(Item=body.dict())`,
`{**body.model_dump()}`, a loop over `body.dict().items()`). Fields excluded from the dump,
or overwritten afterwards from the principal or the server, are not reported.

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

import ast
import re
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import item_value, key_value
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import ClassRef, DynamoCall, HandleKind
from dynaguard.scan.provenance import REQUEST_ORIGINS, Dump, Value
from dynaguard.scan.report import at_call, meta
from dynaguard.scan.symbols import ModuleInfo, last_name

SERVER_FIELD = re.compile(
    r"(?i)^(roles?|is_?admin|admin|is_?superuser|superuser|is_?staff|user_?type|account_?type"
    r"|permissions?|scopes?|groups?|owner|owner_?id|user_?id|tenant_?id|org_?id|account_?id"
    r"|id|pk|sk|version|created_?at|updated_?at|created_?by|balance|credits?|is_?verified"
    r"|email_?verified|is_?active|plan|tier)$"
)


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
    """Whole request models written with server-controlled fields in them."""
    m = meta("DG105")
    extra = {f.lower() for f in project.config.server_fields}
    for call in project.calls:
        if call.operation not in ("put_item", "update_item"):
            continue
        for site in project.sites(call):
            item = item_value(project, call, site.frame)
            if item is None:
                continue
            keys = _update_keys(project, call, site.frame)
            exposed = sorted(
                {
                    f
                    for d in _dumps(item)
                    for f in _exposed(project, d, item, extra)
                    if f.split(".")[0] not in keys
                }
            )
            if exposed:
                yield at_call(
                    m,
                    call,
                    site.route,
                    f"the request model's server-controlled field(s) {', '.join(exposed)} are "
                    f"written as sent by the client",
                    evidence={"fields": list(exposed)},
                )
                break


def _update_keys(project: Project, call: DynamoCall, frame: Frame) -> set[str]:
    # DynamoDB refuses to SET a key attribute ("This attribute is part of the key"), so a
    # dumped `id` that is also the update's Key is never written by it (DG106's business)
    if call.operation != "update_item" or call.handle.kind is HandleKind.PYNAMODB_ITEM:
        return set()
    key = key_value(project, call, frame)
    return set(key.keys()) if key is not None else set()


def _dumps(item: Value) -> list[Dump]:
    out = list(item.dumps)
    for _, v in item.fields or ():
        out += [d for d in v.dumps if d not in out]
    return out


def _exposed(project: Project, dump: Dump, item: Value, extra: set[str]) -> list[str]:
    fields = model_fields(project, dump.model or "", 0)
    picked = [f for f in fields if SERVER_FIELD.match(f.split(".")[-1]) or f.lower() in extra]
    overwritten = {k for k, v in item.fields or () if not (v.origins() & REQUEST_ORIGINS)}
    return [
        f
        for f in picked
        if f.split(".")[0] not in dump.excluded
        and (dump.included is None or f.split(".")[0] in dump.included)
        and f.split(".")[0] not in overwritten
    ]


def model_fields(project: Project, qual: str, depth: int) -> list[str]:
    """A Pydantic model's field names, nested models' fields as `outer.inner`."""
    out: list[str] = []
    for cls in project.mro(qual):
        mod = project.modules[cls.module]
        for stmt in cls.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name in out or name.startswith("_") or _excluded_field(stmt.value):
                continue
            out.append(name)
            inner = _model_of(project, stmt.annotation, mod) if depth < 2 else None
            if inner is not None:
                out += [f"{name}.{sub}" for sub in model_fields(project, inner, depth + 1)]
    return out


def _model_of(project: Project, ann: ast.expr, mod: ModuleInfo) -> str | None:
    if isinstance(ann, ast.Subscript):  # Optional[Settings], list[Address]
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _model_of(project, inner, mod)
    if isinstance(ann, ast.BinOp):
        return _model_of(project, ann.left, mod)
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model:
        return sym.qualname
    return None


def _excluded_field(value: ast.expr | None) -> bool:
    # Field(exclude=True) never appears in model_dump()
    if not isinstance(value, ast.Call) or last_name(value) != "Field":
        return False
    return any(
        k.arg == "exclude" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in value.keywords
    )
