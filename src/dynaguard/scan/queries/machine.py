"""Routes a partner system calls: the endpoint's only authentication compares a credential
from the request with one fixed secret (`compare_digest(api_key, INTEGRATION_KEY)`). The
caller is that system, not a user: there is no principal whose objects an ownership check
could protect, and the ids it sends are the ones it is trusted to name."""

from __future__ import annotations

import ast

from dynaguard.scan.index import Project
from dynaguard.scan.model import ParamSource, Route
from dynaguard.scan.symbols import last_name
from dynaguard.scan.walk import nodes

__all__ = ["machine_caller"]

CREDENTIAL_SOURCES = frozenset({ParamSource.QUERY, ParamSource.HEADER, ParamSource.COOKIE})


def machine_caller(project: Project, route: Route) -> bool:
    """The route authenticates by its endpoint comparing a request value with a module-level
    secret (a constant, or a settings object's attribute), and by nothing else."""
    if not route.authenticated or any(p.source is ParamSource.PRINCIPAL for p in route.params):
        return False
    if any(project.behaviour.authenticates(d) for d in route.all_dependencies):
        return False
    if any(m.is_auth for m in project.middlewares):
        return False
    fn = project.functions.get(route.function)
    if fn is None:
        return False
    given = {p.name for p in route.params if p.source in CREDENTIAL_SOURCES}
    mod = project.module_of(fn)
    for call in (n for n in nodes(fn.node) if isinstance(n, ast.Call)):
        if last_name(call) != "compare_digest" or len(call.args) != 2:
            continue
        names = [_root(a) for a in call.args]
        if any(n in given for n in names) and any(
            n in mod.globals or n in mod.imports for n in names
        ):
            return True
    return False


def _root(e: ast.expr) -> str | None:
    """`settings.key` -> settings; `KEY` -> KEY; anything else None."""
    while isinstance(e, ast.Attribute):
        e = e.value
    return e.id if isinstance(e, ast.Name) else None
