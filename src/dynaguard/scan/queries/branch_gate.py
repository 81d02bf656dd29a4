"""Operations only a privileged caller's branch reaches: `if current_user.is_superuser:
items = scan_all()` / `else: items = query_own(current_user.id)`.

The route serves everyone, but the branch that scans is taken only when the principal's
attribute that the project's own authorization dependencies test (`is_superuser`,
`role`) says so: for that path the route is an administrator's, as it would be behind
`Depends(get_current_active_superuser)`. A comparison with an ordinary role (`role ==
"member"`) or the negated branch is no such gate.
"""

from __future__ import annotations

import ast

from dynaguard.scan.authn_body import ORDINARY_ROLES
from dynaguard.scan.branches import guards_of
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import ParamSource, Route
from dynaguard.scan.queries.authorization import authorization_fields

__all__ = ["privileged_branch"]


def privileged_branch(project: Project, route: Route, frame: Frame, node: ast.AST) -> bool:
    """Whether `node` (run in `frame`, under `route`) sits, in the endpoint, in a branch
    only callers with a privileged attribute take."""
    fields = authorization_fields(project)
    princ = {p.name for p in route.params if p.source is ParamSource.PRINCIPAL}
    if not fields or not princ:
        return False
    at: Frame | None = frame
    while at is not None and at.fn is not None and at.fn.qualname != route.function:
        node = at.call if at.call is not None else node
        at = at.caller
    if at is None or at.fn is None:
        return False
    for test, in_body in guards_of(project, at.fn).get(id(node), []):
        if _gate(test, princ, fields) is in_body:
            return True
    return False


def _gate(test: ast.expr, princ: set[str], fields: frozenset[str]) -> bool | None:
    """True when the test holds only for privileged callers, False when only for the others,
    None when it says neither."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _gate(test.operand, princ, fields)
        return None if inner is None else not inner
    if _read(test, princ, fields):
        return True  # `if user.is_superuser:`
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _read(test.left, princ, fields):
        right = test.comparators[0]
        values = {
            n.value.lower()
            for n in ast.walk(right)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        if not values or values & ORDINARY_ROLES:
            return None
        if isinstance(test.ops[0], ast.Eq | ast.In):
            return True
        if isinstance(test.ops[0], ast.NotEq | ast.NotIn):
            return False
    return None


def _read(e: ast.expr, princ: set[str], fields: frozenset[str]) -> bool:
    return (
        isinstance(e, ast.Attribute)
        and e.attr in fields
        and isinstance(e.value, ast.Name)
        and e.value.id in princ
    )
