"""Tables whose items the code reads an owner from: per-user, whoever writes them.

Alerts another process raises, read here by id: `AlertOut.model_validate(item)` with a
`tenant_id` field, or `item["tenant_id"]`, says each item belongs to someone even where
the scanned code never writes the table. Such a table is no catalogue (queries/tables.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from dynaguard.scan.frames import Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall
from dynaguard.scan.provenance import Origin
from dynaguard.scan.queries.request_models import model_fields
from dynaguard.scan.walk import nodes

__all__ = ["owner_read"]


def owner_read(
    project: Project, call: DynamoCall, site: Site, owner_like: Callable[[str], bool]
) -> bool:
    """Whether the function that reads shows an owner-like attribute of what it read."""
    fn = site.frame.fn
    if fn is None or not call.is_read:
        return False
    for n in nodes(fn.node):
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant):
            key, held = n.slice.value, n.value
        elif isinstance(n, ast.Call) and _model(project, n, site) is not None and n.args:
            fields = model_fields(project, _model(project, n, site) or "")
            key, held = next((f for f in fields if owner_like(f)), None), n.args[0]
        else:
            continue
        if isinstance(key, str) and owner_like(key) and _from(project, held, site, call):
            return True
    return False


def _model(project: Project, n: ast.Call, site: Site) -> str | None:
    """`Model.model_validate(x)` / `Model.parse_obj(x)`: the project model's qualname."""
    f = n.func
    if isinstance(f, ast.Attribute) and f.attr in ("model_validate", "parse_obj"):
        sym = project.resolve_expr(f.value, site.frame.module)
        return sym.qualname if isinstance(sym, ClassRef) else None
    return None


def _from(project: Project, expr: ast.expr, site: Site, call: DynamoCall) -> bool:
    value = project.values.of(expr, site.frame)
    return any(s.origin is Origin.ITEM and s.call == call.key for s in value.all_sources())
