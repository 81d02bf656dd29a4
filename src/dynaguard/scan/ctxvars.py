"""The caller kept in a `contextvars.ContextVar` that an authenticating middleware sets.

Multi-tenant services verify the token once, in a middleware, and keep the caller for the
rest of the request: `current_tenant.set(claims["tid"])` there, `current_tenant.get()` in a
repository far from any route parameter. Such a value is the principal, as a dependency's
result would be; a ContextVar nothing authenticating sets is not.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, cast

from dynaguard.scan.frames import Frame
from dynaguard.scan.symbols import dotted
from dynaguard.scan.walk import own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["principal_context"]


def principal_context(p: Project, expr: ast.expr, frame: Frame) -> bool:
    """`expr` names a module-level ContextVar that an authenticating middleware sets."""
    sym = p.resolve_expr(expr, frame.module)
    if not isinstance(sym, tuple) or sym[0] not in p.modules:
        return False
    home = p.modules[sym[0]]
    values = home.globals.get(sym[1], [])
    made = values[0] if len(values) == 1 else None
    if not (isinstance(made, ast.Call) and dotted(made.func, home) == "contextvars.ContextVar"):
        return False
    if not p.linked:
        return sym in _set_by_auth(p)  # (the middlewares may not all be known yet)
    if "ctxvars" not in p.answers:
        p.answers["ctxvars"] = _set_by_auth(p)
    return sym in cast("set[object]", p.answers["ctxvars"])


def _set_by_auth(p: Project) -> set[object]:
    """What every authenticating middleware calls `.set()` on, resolved."""
    out: set[object] = set()
    for m in p.middlewares:
        fn = p.functions.get(m.function) if m.is_auth else None
        if fn is None:
            continue
        mod = p.module_of(fn)
        for n in own_nodes(fn.node):
            f = n.func if isinstance(n, ast.Call) else None
            if isinstance(f, ast.Attribute) and f.attr == "set":
                out.add(p.resolve_expr(f.value, mod))
    return out
