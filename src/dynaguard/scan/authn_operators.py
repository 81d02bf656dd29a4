"""Middleware whose callers are operators: only holders of a key the code keeps get in.

`@admin_app.middleware("http")` that answers 401 unless the request carries
`hmac.new(SIGNING_KEY, payload, sha256)` (or a fixed token compared with a module-level
secret) admits the operators or the one system that holds the key, not users with
objects of their own: the routes it covers are privileged, as a dependency comparing
`X-Admin-Token` with `ADMIN_TOKEN` makes them (authn_verify.fixed_secret).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.authn_verify import fixed_secret
from dynaguard.scan.walk import own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


def operators_only(project: Project, qualname: str) -> bool:
    """The middleware verifies, refuses, and admits only holders of a kept secret."""
    key = ("operators", qualname)
    if key not in project.syntax:
        project.syntax[key] = _decide(project, qualname)
    return bool(project.syntax[key])


def _decide(project: Project, qualname: str) -> bool:
    fn = project.functions.get(qualname)
    if fn is None or not project.behaviour.middleware_rejects(qualname):
        return False
    params = [a.arg for a in fn.params if a.arg not in ("self", "cls")]
    if not params:
        return False
    found = own_nodes(fn.node)
    request = params[0]
    creds = frozenset(  # what the request carries: `signature = request.headers.get(...)`
        t.id
        for n in found
        if isinstance(n, ast.Assign)
        and any(isinstance(x, ast.Name) and x.id == request for x in ast.walk(n.value))
        for t in n.targets
        if isinstance(t, ast.Name)
    )
    return bool(creds) and fixed_secret(found, project.module_of(fn), creds, respond=True)
