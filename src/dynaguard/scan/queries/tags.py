"""Type tags: the attributes a single-table design writes only as constants at creation.

`{"entity": "USER", ...}` in every put of a user, never in an update, never from a
request: which kind an item is does not change while it lives. A helper that answers None
unless `item["entity"] == "USER"` decided nothing a concurrent request can undo, so DG102
does not ask the later write to re-assert it.
"""

from __future__ import annotations

import ast
import re

from dynaguard.scan import query as q
from dynaguard.scan.index import Project
from dynaguard.scan.provenance import Origin
from dynaguard.scan.queries.mass_assignment import written
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.request_models import model_fields

__all__ = ["type_tags"]


def type_tags(project: Project) -> frozenset[str]:
    """Attributes some put writes as a constant and no write sets any other way."""
    return once(project, "type_tags", _tags)


def _tags(project: Project) -> frozenset[str]:
    constant: set[str] = set()
    changed: set[str] = set()
    for call in project.calls:
        if not call.is_write:
            continue
        expr = call.args.get("UpdateExpression")
        if call.operation != "put_item" and (expr is None or isinstance(expr, ast.Constant)):
            # a transaction, a batch, an update written out: every attribute its literals
            # name may be set by it (cheaper than evaluating each site's values)
            changed.update(_named(call.node))
            continue
        for site in q.sites(project, call):
            item = q.key(project, call, site) if call.operation == "put_item" else None
            # a put of an item read and changed in Python replaces it: not a creation
            fresh = item is not None and Origin.ITEM not in item.origins()
            for attr, value in written(project, call, site):
                fixed = value.sources and value.origins() <= {Origin.CONSTANT}
                (constant if fresh and fixed else changed).add(attr)
            for dump in item.dumps if item is not None else ():
                changed.update(model_fields(project, dump.model or ""))
    return frozenset(constant - changed)


def _named(node: ast.AST) -> set[str]:
    """Every word of the string literals under a call (dict keys, expression texts)."""
    return {
        w
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        for w in re.findall(r"[A-Za-z_]\w*", n.value)
    }
