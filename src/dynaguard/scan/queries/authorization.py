"""What the project's authorization dependencies read, and what a gated route may grant
(DG105).

An attribute is the server's when a dependency that lets only some callers through reads
it (`if scope not in key.scopes: raise 403`), whether the dependency is a function, a
class's `__call__` or the closure a factory returns (`require_scope("keys:write")`).

A route behind such a gate may set what the gate reads (an administrator grants roles),
but only up to what its own callers hold: when the same gate elsewhere asks for a value
this route's gate does not (`require_scope("platform:admin")` beside
`require_scope("keys:write")`), a caller who passes the lower gate and copies the request's
value into that attribute grants itself the higher one.

Nor is every gate an administrators' one: a scope every ordinary key holds
(`require_scope("projects:write")`) lets callers through who still reach only their own
objects. When routes behind the same gate, asked for the same values, tie the objects they
touch to the caller (an owner compared, the principal in a key or a condition), the project
itself treats those callers as ordinary users.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from dynaguard.scan.authn_resolve import resolve
from dynaguard.scan.flow import condition, events, key_value
from dynaguard.scan.index import Project
from dynaguard.scan.model import Dependency, Route
from dynaguard.scan.provenance import Origin
from dynaguard.scan.queries.memo import once
from dynaguard.scan.symbols import last_name
from dynaguard.scan.walk import nodes

__all__ = ["authorization_fields", "grants_beyond", "ordinary_gate"]

FORBIDDEN = re.compile(r"^(403|HTTP_403\w*|forbidden)$", re.I)


def authorization_fields(project: Project) -> frozenset[str]:
    """Attributes read by a route's privilege gate, or by any dependency's 403 test."""
    return once(project, "authorization_fields", _authorization_fields)


def _authorization_fields(project: Project) -> frozenset[str]:
    authz: set[str] = set()
    forbidding: dict[str, set[str]] = {}  # per dependency: routes share their dependencies
    for route in project.routes:
        for dep in route.all_dependencies:
            found = _bodies(project, dep.target or "")
            if route.privileged in (dep.name, dep.target):
                authz |= _keys_read(list(found))
            if dep.target and dep.target not in forbidding:  # `if not user["can_x"]: 403`
                forbidding[dep.target] = _keys_read(
                    [t for b in found for t in _forbidding_tests(b)]
                )
            authz |= forbidding.get(dep.target or "", set())
    return frozenset(authz)


def grants_beyond(project: Project, route: Route, attribute: str) -> bool:
    """The route's privilege gate reads `attribute`, and the same gate elsewhere in the
    project asks for a value this route's does not: its callers can grant more than they
    hold by writing the attribute."""
    gates = [d for d in route.all_dependencies if route.privileged in (d.name, d.target)]
    for gate in gates:
        if not gate.args or attribute not in _keys_read(_bodies(project, gate.target or "")):
            continue
        asked = {a for d in _same_gate(project, gate) for a in d.args}
        if asked - set(gate.args):
            return True
    return False


def _same_gate(project: Project, gate: Dependency) -> list[Dependency]:
    return [d for r in project.routes for d in r.all_dependencies if d.target == gate.target]


def _forbidding_tests(fn: ast.AST) -> list[ast.AST]:
    """Tests of the `if`s that answer 403 (`raise HTTPException(status.HTTP_403_FORBIDDEN)`)."""
    out: list[ast.AST] = []
    for node in (n for n in nodes(fn) if isinstance(n, ast.If)):
        raised = [r.exc for s in node.body for r in nodes(s) if isinstance(r, ast.Raise)]
        words = {
            str(n.value) if isinstance(n, ast.Constant) else n.attr
            for e in raised
            if e is not None
            for n in nodes(e)
            if isinstance(n, ast.Constant | ast.Attribute)
        }
        if any(FORBIDDEN.search(w) for w in words):
            out.append(node.test)
    return out


def _keys_read(roots: Sequence[ast.AST]) -> set[str]:
    """Keys read in comparisons and guards: `user["role"]`, `user.get("plan")`, `user.tier`."""
    out: set[str] = set()
    every = [n for root in roots for n in nodes(root)]
    tests = [n.test for n in every if isinstance(n, ast.If | ast.Assert)]
    tests += [n for n in every if isinstance(n, ast.Compare)]
    tests += [r for r in roots if isinstance(r, ast.expr)]
    for n in (n for t in tests for n in nodes(t)):
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant):
            out.add(str(n.slice.value))
        elif isinstance(n, ast.Call) and last_name(n) == "get" and n.args:
            first = n.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.add(first.value)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name | ast.Subscript):
            out.add(n.attr)
    return out


def ordinary_gate(project: Project, route: Route) -> bool:
    """The route's privilege gate is a factory's gate (`require_scope("x")`) behind which,
    asked for the same values, some route ties the objects it touches to the caller."""
    gates = [d for d in route.all_dependencies if route.privileged in (d.name, d.target)]
    return any(_ordinary(project, g) for g in gates if g.args)


def _ordinary(project: Project, gate: Dependency) -> bool:
    def compute(p: Project) -> bool:
        behind = once(p, "routes_by_gate", _routes_by_gate).get((gate.target, gate.args), [])
        return any(_scopes_to_caller(p, o) for o in behind)

    return once(project, ("ordinary_gate", gate.target, gate.args), compute)


def _routes_by_gate(project: Project) -> dict[tuple[str | None, object], list[Route]]:
    """Routes by the (target, arguments) of each of their dependencies, in route order."""
    out: dict[tuple[str | None, object], list[Route]] = {}
    for route in project.routes:
        for key in dict.fromkeys((d.target, d.args) for d in route.all_dependencies):
            out.setdefault(key, []).append(route)
    return out


def _scopes_to_caller(project: Project, route: Route) -> bool:
    for ev in events(project, route):
        if ev.kind == "check" and ev.principal:
            return True
        if ev.call is None:
            continue
        key = key_value(project, ev.call, ev.frame)
        cond = condition(project, ev.call, ev.frame)
        if any(v is not None and Origin.PRINCIPAL in v.origins() for v in (key, cond)):
            return True
    return False


def _bodies(project: Project, target: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The function bodies FastAPI runs for a dependency target (authn_resolve.resolve)."""
    found = resolve(project, target)
    return [b.node for b in found] if isinstance(found, list) else []
