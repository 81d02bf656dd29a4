"""Starlette's authentication, by what it does: `AuthenticationMiddleware` and `@requires`.

`app.add_middleware(AuthenticationMiddleware, backend=Backend())` runs the backend's
`authenticate(conn)` on every request. When that verifies a credential, `request.user` is
the verified caller, and `request.auth.scopes` holds the scopes it granted; when it returns
None the caller is anonymous and the request goes on: the middleware identifies, it rejects
no one. `@requires(scopes)` on an endpoint rejects a caller missing any of the scopes. So a
route is authenticated when it requires scopes of a backend that verifies, and restricted
to some callers when one of those scopes is granted only under a test (`if ADMIN in
groups: scopes.append("admin")`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.model import ClassRef, FunctionInfo, Middleware, Route
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

REQUIRES = "starlette.authentication.requires"


def backend_middleware(
    project: Project, mod: ModuleInfo, call: ast.Call, app: str | None
) -> Middleware | None:
    """`add_middleware(AuthenticationMiddleware, backend=B())`: B's `authenticate`, if B is
    a project class that defines one (Starlette's backend protocol)."""
    backend = next((k.value for k in call.keywords if k.arg == "backend"), None)
    if not isinstance(backend, ast.Call):
        return None
    cls = project.resolve_expr(backend.func, mod)
    method = project.method(cls.qualname, "authenticate") if isinstance(cls, ClassRef) else None
    if method is None:
        return None
    verifies = project.behaviour.middleware_verifies(method.qualname)
    granted, conditional = _scopes(method) if verifies else (frozenset(), frozenset())
    return Middleware(method.qualname, app, False, granted, conditional)


def _scopes(fn: FunctionInfo) -> tuple[frozenset[str], frozenset[str]]:
    """The scope names the backend adds (list literals, `append`, `extend`, `+=`), split
    into those every caller it lets in gets and those added only under a test that grants
    nothing else (`if ADMIN in groups: scopes.append("admin")`). A test whose branch
    returns the credentials (`if valid(key): return AuthCredentials(["authenticated"])`)
    is how the backend lets callers in, not a privilege."""
    always: set[str] = set()
    sometimes: set[str] = set()

    def visit(stmts: list[ast.stmt], under: bool) -> None:
        for s in stmts:
            if isinstance(s, ast.If | ast.Try | ast.With | ast.For | ast.While | ast.Match):
                test = isinstance(s, ast.If | ast.For | ast.While | ast.Match)
                lets_in = any(isinstance(n, ast.Return) for n in nodes(s))
                for body in _bodies(s):
                    visit(body, under or (test and not lets_in))
                continue
            found = [n for n in nodes(s) if isinstance(n, ast.Constant) and _in_scopes(n, s)]
            # `["user", "staff"] if staff else ["user"]`: what one branch of a test holds
            # is conditional, what both hold is not
            branches: set[int] = set()
            both: set[object] = set()
            for e in nodes(s):
                if isinstance(e, ast.IfExp):
                    yes, no = nodes(e.body), nodes(e.orelse)
                    branches |= {id(c) for c in [*yes, *no]}
                    both |= {c.value for c in found if c in yes} & {
                        c.value for c in found if c in no
                    }
            for c in found:
                if isinstance(c.value, str):
                    later = under or (id(c) in branches and c.value not in both)
                    (sometimes if later else always).add(c.value)

    visit(fn.node.body, False)
    return frozenset(always), frozenset(sometimes - always)


def _bodies(s: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(s, ast.Match):
        return [c.body for c in s.cases]
    if isinstance(s, ast.Try):
        return [s.body, *(h.body for h in s.handlers), s.orelse, s.finalbody]
    return [getattr(s, "body", []), getattr(s, "orelse", [])]


def _in_scopes(const: ast.Constant, stmt: ast.stmt) -> bool:
    """A string constant that a scope list holds: a list assigned or added (`+=`) to a
    name, an `append`/`add`/`extend` argument, or `AuthCredentials(...)`'s argument."""
    for n in nodes(stmt):
        held: list[ast.expr] = []
        if isinstance(n, ast.Assign | ast.AugAssign | ast.AnnAssign) and n.value is not None:
            held = [n.value]
        elif isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else ""
            name = name or (n.func.id if isinstance(n.func, ast.Name) else "")
            held = list(n.args) if name in ("append", "add", "extend", "AuthCredentials") else []
        if any(_holds(e, const) for e in held):
            return True
    return False


def _holds(e: ast.expr, const: ast.Constant) -> bool:
    """`e` evaluates to the constant or to a collection of it (through `x if t else y`,
    `a or b` and `a + b`, not through a call: `algorithms=["RS256"]` holds no scope)."""
    if e is const:
        return True
    if isinstance(e, ast.List | ast.Tuple | ast.Set):
        return const in e.elts
    if isinstance(e, ast.IfExp):
        return _holds(e.body, const) or _holds(e.orelse, const)
    if isinstance(e, ast.BoolOp):
        return any(_holds(v, const) for v in e.values)
    if isinstance(e, ast.BinOp):
        return _holds(e.left, const) or _holds(e.right, const)
    return False


def requires(fn: FunctionInfo, mod: ModuleInfo) -> tuple[str, ...] | None:
    """The scopes an endpoint's `@requires(...)` (starlette.authentication) demands."""
    for dec in fn.node.decorator_list:
        if not isinstance(dec, ast.Call) or dotted(dec.func, mod) != REQUIRES:
            continue
        arg = (
            dec.args[0]
            if dec.args
            else next((k.value for k in dec.keywords if k.arg == "scopes"), None)
        )
        items = arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg] if arg else []
        scopes = [e.value for e in items if isinstance(e, ast.Constant)]
        if len(scopes) != len(items) or not all(isinstance(v, str) for v in scopes):
            return None  # `@requires(SCOPES)`: what it demands is not known here
        return tuple(str(v) for v in scopes)
    return None


def gate(
    project: Project, route: Route, apps: set[str] | None = None
) -> tuple[str, str | None] | None:
    """(evidence, privilege) when the endpoint requires scopes that a verifying backend
    (of one of `apps`, when given) grants; the privilege names a required scope granted
    only to some callers."""
    fn = project.functions.get(route.function)
    needed = requires(fn, project.module_of(fn)) if fn is not None else None
    if needed is None:
        return None
    for m in project.middlewares:
        if m.granted is None or not (m.granted | m.conditional):
            continue  # not a backend, or one that verifies nothing
        if apps is not None and m.app is not None and m.app not in apps:
            continue
        if not set(needed) <= m.granted | m.conditional:
            continue
        special = sorted(set(needed) & m.conditional)
        scopes = ", ".join(needed)
        evidence = f"@requires({scopes}) under an authentication backend ({m.function})"
        return evidence, (f"@requires({', '.join(special)})" if special else None)
    return None
