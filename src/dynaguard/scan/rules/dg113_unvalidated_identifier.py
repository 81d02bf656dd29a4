"""Request identifier used in a key with no type, length or pattern constraint.

## What it does
Reports a `get_item`, `update_item`, `delete_item` or `query` whose key takes a path,
query or body value declared as a plain `str` (or not annotated): no `int`/`UUID`/`Literal`
type, no `pattern=`, `max_length=` or `min_length=` on `Path()`, `Query()`, `Field()` or
`StringConstraints`, directly or through an `Annotated` alias.

## Why is this bad?
DynamoDB refuses keys it cannot store: an empty string for a key attribute, a partition
key over 2048 bytes or a sort key over 1024 bytes raise `ValidationException`. Without a
constraint those requests reach DynamoDB and come back as 500s (with the error text, if
it leaks), and every malformed id costs a round trip; a validated id is a 422 before any
I/O.

## Example
```python
@router.get("/files/{file_id}")
def read_file(file_id: str):
    return files.get_item(Key={"file_id": file_id.strip()})["Item"]
```

## Use instead
```python
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

@router.get("/files/{file_id}")
def read_file(file_id: FileId):
    return files.get_item(Key={"file_id": file_id})["Item"]
```

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
- https://cwe.mitre.org/data/definitions/1284.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import key_value
from dynaguard.scan.index import Project
from dynaguard.scan.infer import annotation_of
from dynaguard.scan.model import KEYED_OPS, FunctionInfo
from dynaguard.scan.provenance import Origin, Source
from dynaguard.scan.report import at_call, meta
from dynaguard.scan.symbols import ModuleInfo, last_name

LIMITS = frozenset({"pattern", "regex", "max_length", "min_length"})
PLAIN = frozenset({"str", "Any", "Optional", "None"})
CHECKED = (Origin.PATH, Origin.QUERY, Origin.BODY)


@register(
    id="DG113",
    name="unvalidated-identifier",
    title="Request identifier reaches a key unvalidated",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe="CWE-1284",
    owasp_api="API8:2023",
    fix="Constrain the id where it enters: a type (int, UUID) or Path/Query/Field(pattern=..., "
    "max_length=...), so a malformed id is a 422 and never a DynamoDB ValidationException.",
)
def check(project: Project) -> Iterator[Finding]:
    """Keys built from plain-str request values."""
    m = meta("DG113")
    for call in project.calls:
        if call.operation not in KEYED_OPS:
            continue
        for site in project.sites(call):
            route = site.route
            key = key_value(project, call, site.frame) if route else None
            if route is None or key is None:
                continue
            fn = project.functions[route.function]
            loose = sorted(
                {
                    s.dotted
                    for s in key.all_sources()
                    if s.origin in CHECKED and _loose(project, fn, s)
                }
            )
            if loose:
                yield at_call(
                    m,
                    call,
                    route,
                    f"key from unconstrained request value(s) {', '.join(loose)}: an empty or "
                    "oversized id reaches DynamoDB (ValidationException, a 500)",
                    evidence={"values": list(loose)},
                )
                break


def _loose(project: Project, fn: FunctionInfo, s: Source) -> bool:
    """Whether the request value behind a source is declared with no constraint."""
    if s.origin is Origin.BODY:
        if not s.path or not s.model or s.model not in project.classes:
            return False  # a whole body, or a field of an unknown model
        for cls in project.mro(s.model):
            for stmt in cls.node.body:
                if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", "") == s.path[0]:
                    mod = project.modules[cls.module]
                    return not _bounded(project, stmt.annotation, stmt.value, mod, 0)
        return False
    if s.path or s.name not in {a.arg for a in fn.params}:
        return False  # an attribute of a parameter, or a value of a dependency
    mod = project.module_of(fn)
    return not _bounded(project, annotation_of(fn, s.name), fn.default_of(s.name), mod, 0)


def _bounded(
    project: Project, ann: ast.expr | None, default: ast.expr | None, mod: ModuleInfo, depth: int
) -> bool:
    if _limits(default):
        return True
    if ann is None or depth > 3:
        return False
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Annotated":
        parts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_limits(p) for p in parts[1:]) or _bounded(project, parts[0], None, mod, depth)
    if isinstance(ann, ast.Name) and ann.id not in PLAIN:
        sym = project.resolve_name(ann.id, mod)
        if isinstance(sym, tuple):  # FileId = Annotated[str, Path(pattern=...)]
            owner = project.modules[sym[0]]
            values = owner.globals.get(sym[1], [])
            return any(_bounded(project, v, None, owner, depth + 1) for v in values)
        return True  # int, UUID, an Enum or a constrained type
    if isinstance(ann, ast.BinOp):  # str | None
        return _bounded(project, ann.left, None, mod, depth + 1)
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Optional":
        return _bounded(project, ann.slice, None, mod, depth + 1)
    return not (isinstance(ann, ast.Name | ast.Constant) or last_name(ann) in PLAIN)


def _limits(expr: ast.expr | None) -> bool:
    """Path(max_length=...), Field(pattern=...), StringConstraints(...), constr(...)."""
    if not isinstance(expr, ast.Call):
        return False
    return last_name(expr) == "constr" or any(k.arg in LIMITS for k in expr.keywords)
