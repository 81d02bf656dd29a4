"""Routes a partner system calls: the endpoint's only authentication compares a credential
from the request with one fixed secret (`compare_digest(api_key, INTEGRATION_KEY)`). The
caller is that system, not a user: there is no principal whose objects an ownership check
could protect, and the ids it sends are the ones it is trusted to name."""

from __future__ import annotations

from dynaguard.scan.authn_verify import fixed_secret
from dynaguard.scan.index import Project
from dynaguard.scan.model import ParamSource, Route
from dynaguard.scan.walk import own_nodes

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
    given = frozenset(p.name for p in route.params if p.source in CREDENTIAL_SOURCES)
    return fixed_secret(own_nodes(fn.node), project.module_of(fn), given)
