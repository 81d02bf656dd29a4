"""Authentication and privilege, decided by what the code does, never by a name.

A dependency authenticates when its body, a function it calls or a dependency it takes
verifies a credential: a token verifier (PyJWT, python-jose, authlib, joserfc, Cognito,
Firebase, Google ID tokens, Auth0), a password or key checked (passlib, bcrypt, argon2,
`compare_digest`), an authentication library's dependency (fastapi-cloudauth,
fastapi-users...), or a credential (header, cookie, `fastapi.security` scheme value) that
is looked up or compared, with a raise when that fails. A scheme whose value nobody checks,
or `if not token: raise`, authenticates nobody. A route is privileged when a dependency, or
the endpoint at its own top level, compares the principal's role, group, scope or
permission (or an attribute its dependency computes from one) with fixed values and raises
otherwise, or answers 403 unless the caller's own item is in an allow-list table.
`[tool.dynaguard] auth_dependencies` names are an override.

Results are memoised by qualname (a value); one computed while a caller further up was
still being computed (a cycle) is not cached, since it may be incomplete.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from dynaguard.scan.authn_body import BodyScan, Seeds, param_names
from dynaguard.scan.authn_lists import allow_listed
from dynaguard.scan.authn_props import role_properties
from dynaguard.scan.authn_resolve import (
    Body,
    body_of,
    bound_call,
    flow_params,
    library_gate,
    resolve,
)
from dynaguard.scan.authn_verify import (
    CREDENTIAL_TYPES,
    REQUEST_TYPES,
    fixed_secret,
    gateway_verified,
    marker,
    rejects,
    verifier,
)
from dynaguard.scan.deps import assumed_principal, dependency, depends_of, last_names
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, Dependency, FunctionInfo, Route
from dynaguard.scan.params import socket_tokens
from dynaguard.scan.symbols import ModuleInfo, last_name
from dynaguard.scan.walk import nodes, own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


class Behaviour:
    """What the project's dependencies, middleware and endpoints do with credentials."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self.configured = last_names(project.config.auth_dependencies)
        self.admins = last_names(project.config.admin_dependencies)
        self.admin_scopes = frozenset(project.config.admin_scopes)
        self._memo: dict[Hashable, bool] = {}
        self._role_fields: dict[str, frozenset[str]] = {}
        self._busy: set[Hashable] = set()
        self._cuts = 0  # results that met a computation still in progress

    # -- the questions rules ask -------------------------------------------------------

    def authenticates(self, dep: Dependency) -> bool:
        """A dependency verifies a credential (or is configured as authentication)."""
        if dep.name in self.configured or (dep.target or "") in self.p.config.auth_dependencies:
            return True
        return dep.target is not None and self._ask("auth", dep.target)

    def identifies(self, dep: Dependency) -> bool:
        """A dependency that looks the caller up by a credential and returns the record, or
        None when there is none (`get_current_user` answering None for anonymous callers)."""
        return dep.target is not None and self._ask("identifies", dep.target)

    def privileged(self, route: Route) -> str | None:
        """A dependency of the route that lets only some roles through (its name): one that
        compares a role and raises, one configured as such, or a `Security(...)` asking for
        a configured administrators' scope of a dependency that enforces its scopes. (The
        endpoint's own check is `endpoint_privileged`, asked once its writes are known.)"""
        for d in route.all_dependencies:
            if d.name in self.admins or (d.target or "") in self.p.config.admin_dependencies:
                return d.name or d.target
            if d.target is None:
                continue
            if self._ask("priv", d.target) or self._bound_priv(d):
                return d.name or d.target
            admin = sorted(self.admin_scopes.intersection(d.scopes))
            if admin and self._ask("scopes", d.target):
                return f"{d.name or d.target} (scopes {', '.join(admin)})"
        return None

    def endpoint_privileged(self, route: Route, first_write: int | None) -> str | None:
        """The endpoint lets only privileged callers past a role check of its own top level
        (`if not caller.ops: raise HTTPException(403)`) that precedes its first write (a
        check after a write, or inside one branch, gates nothing before it)."""
        fn = self.p.functions.get(route.function)
        if fn is None:
            return None
        before = [s for s in fn.node.body if first_write is None or s.lineno < first_write]
        if not any(isinstance(s, ast.If | ast.Assert | ast.While) for s in before):
            return None  # no guard at the top level: nothing to judge (most endpoints)
        body = body_of(self.p, fn)
        seeds, _ = self._seeds(body)
        if seeds.principals and self._scan(body, seeds).checks_role(before):
            return f"{fn.qualname} (its own role check)"
        return None

    def role_fields(self, target: str) -> frozenset[str]:
        """Attributes of the principal a dependency returns that it computes from a role
        (`Principal(ops="ops" in claims["groups"])`, `{"admin": ...}`, `user.ops = ...`),
        with those of the principals it takes itself."""
        if target not in self._role_fields:
            self._role_fields[target] = frozenset()  # a cycle ends here, empty
            resolved = resolve(self.p, target)
            found: set[str] = set()
            for body in resolved if isinstance(resolved, list) else []:
                seeds, _ = self._seeds(body)
                scan = self._scan(body, seeds)
                found |= seeds.role_fields | scan.computed_roles() | role_properties(self.p, body)
            self._role_fields[target] = frozenset(found)
        return self._role_fields[target]

    def endpoint_verifies(self, route: Route) -> bool:
        """The endpoint checks a credential itself (an API key compared in the handler)."""
        fn = self.p.functions.get(route.function)
        return fn is not None and self._ask("endpoint", fn.qualname)

    def checks_scheme(self, fn: FunctionInfo, dep: Dependency) -> bool:
        """A raw scheme value (`key = Depends(api_key)`) that `fn` itself checks."""
        scheme = dep.target is not None and resolve(self.p, dep.target) == "scheme"
        return scheme and self._ask("endpoint", fn.qualname)  # what fn does with its own value

    def middleware_verifies(self, qualname: str) -> bool:
        """A middleware's dispatch verifies the request's credential."""
        return self._ask("mw", qualname)

    def middleware_rejects(self, qualname: str) -> bool:
        """A middleware that verifies the credential also refuses the request when that
        fails (a raise, or an error response, its own or a helper's: `return _401()`): one
        that only records the caller on `request.state` and calls the app identifies."""
        fn = self.p.functions.get(qualname)
        if fn is None or not self.middleware_verifies(qualname):
            return False
        found = own_nodes(fn.node)
        out = [c for r in found if isinstance(r, ast.Return) for c in [r.value] if c]
        back = [c for c in out if isinstance(c, ast.Call)]
        if rejects(found) or rejects(self._with_helpers(body_of(self.p, fn), back)):
            return True
        # a verifier outside any `try` fails the request by itself (`jwt.decode` raising)
        guarded = {id(n) for t in found if isinstance(t, ast.Try) for n in nodes(t)}
        mod = self.p.module_of(fn)
        return any(
            isinstance(c, ast.Call) and id(c) not in guarded and verifier(c, mod, self._imported)
            for c in found
        )

    def _identified(self) -> bool:
        """Some middleware verifies a credential and records the caller."""
        return any(self.middleware_verifies(m.function) for m in self.p.middlewares)

    # -- memoised by value --------------------------------------------------------------

    def _ask(self, kind: str, target: str) -> bool:
        return self._solve((kind, target), lambda: self._compute(kind, target))

    def _solve(self, key: Hashable, compute: Callable[[], bool]) -> bool:
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            self._cuts += 1
            return False  # a cycle: the caller further up decides
        before = self._cuts
        self._busy.add(key)
        try:
            found = compute()
        finally:
            self._busy.discard(key)
        if found or self._cuts == before:
            self._memo[key] = found
        return found

    def _compute(self, kind: str, target: str) -> bool:
        if kind.startswith("checks:"):
            fn = self.p.functions.get(target)
            params = frozenset(kind.removeprefix("checks:").split(","))
            body = body_of(self.p, fn) if fn is not None else None
            return body is not None and self._body_auth(body, extra=params)
        if kind == "verifies":  # a verifier in this function or any it calls
            fn = self.p.functions.get(target)
            if fn is None:
                return False
            body = body_of(self.p, fn)
            calls = [n for n in own_nodes(fn.node) if isinstance(n, ast.Call)]
            if any(verifier(c, body.module, self._imported) for c in calls):
                return True
            if gateway_verified(self._with_helpers(body, calls)):
                return True  # API Gateway's authorizer verified the caller
            return any(
                (callee := self._callee(c, body)) is not None
                and self._ask("verifies", callee.qualname)
                for c in calls
            )
        if kind == "identifies":  # looks the credential up, returns what it found or None
            resolved = resolve(self.p, target)
            return isinstance(resolved, list) and any(self._looks_up(b) for b in resolved)
        if kind == "endpoint":
            fn = self.p.functions.get(target)
            tokens = socket_tokens(self.p, fn) if fn is not None else frozenset()
            return fn is not None and self._body_auth(body_of(self.p, fn), tokens, endpoint=True)
        if kind == "mw":
            fn = self.p.functions.get(target)
            if fn is None:
                return False
            names = param_names(fn.node)[1 if fn.class_name else 0 :]
            return self._body_auth(body_of(self.p, fn), requests=frozenset(names[:1]))
        resolved = resolve(self.p, target)
        if isinstance(resolved, str):
            if kind == "priv":
                return resolved == "library" and library_gate(self.p, target)
            return kind == "auth" and resolved == "library"
        if kind == "priv":
            return any(self._body_priv(b) for b in resolved)
        if kind == "scopes":
            return any(self._body_scopes(b) for b in resolved)
        return any(self._body_auth(b) for b in resolved)

    # -- judging one body ---------------------------------------------------------------

    def _seeds(self, body: Body, requests: frozenset[str] = frozenset()) -> tuple[Seeds, list[str]]:
        """Credential, principal and request parameters; the dependency targets taken."""
        cred: set[str] = set()
        princ: set[str] = set()
        roles: set[str] = set()
        reqs: set[str] = set(requests)
        ident: set[str] = set()
        targets: list[str] = []
        a = body.node.args
        positional = [*a.posonlyargs, *a.args]
        defaults: dict[str, ast.expr | None] = dict(
            zip(
                [x.arg for x in positional[len(positional) - len(a.defaults) :]],
                a.defaults,
                strict=True,
            )
        )
        defaults.update({x.arg: d for x, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)})
        for arg in [*positional, *a.kwonlyargs]:
            exprs = [e for e in (defaults.get(arg.arg), arg.annotation) if e is not None]
            for expr in exprs:
                found = depends_of(self.p, body.module, expr)
                if found is not None:  # an alias's Depends() names its callable at home
                    dep = dependency(self.p, found[1], found[0], "param")
                    if dep.target is not None:
                        targets.append(dep.target)
                        if resolve(self.p, dep.target) == "scheme":
                            cred.add(arg.arg)
                        elif self.authenticates(dep):
                            princ.add(arg.arg)
                            roles |= self.role_fields(dep.target)
                        elif self._ask("identifies", dep.target):
                            ident.add(arg.arg)
                    break
                if expr is arg.annotation and assumed_principal(self.p, body.module, expr):
                    princ.add(arg.arg)  # a configured alias whose code the scan cannot read
                kind = marker(expr, body.module)
                if kind in ("Header", "Cookie") or kind in CREDENTIAL_TYPES:
                    cred.add(arg.arg)
                elif kind in REQUEST_TYPES:
                    reqs.add(arg.arg)
        seeds = Seeds(
            frozenset(cred), frozenset(princ), frozenset(reqs), frozenset(roles), frozenset(ident)
        )
        return seeds, targets

    def _scan(self, body: Body, seeds: Seeds) -> BodyScan:
        mod = body.module
        return BodyScan(body.node, seeds, lambda call: verifier(call, mod, self._imported))

    def _body_auth(
        self,
        body: Body,
        extra: frozenset[str] = frozenset(),
        requests: frozenset[str] = frozenset(),
        endpoint: bool = False,
    ) -> bool:
        """The body verifies a credential. An endpoint counts only what it does with its
        own credential parameters (a helper that verifies tokens is no check of the caller)."""
        seeds, _ = self._seeds(body, requests)
        if seeds.principals:
            return True  # built on a dependency that authenticates
        calls = [n for n in own_nodes(body.node) if isinstance(n, ast.Call)]
        if any(verifier(c, body.module, self._imported) for c in calls):
            return True
        if gateway_verified(self._with_helpers(body, calls)):
            return True  # API Gateway's authorizer verified the caller
        found = Seeds(principals=seeds.identified)
        if seeds.identified and self._scan(body, found).requires_principal():
            return True  # `if user is None: raise 401` on what a session lookup found
        cred = seeds.credentials | extra
        if not cred and not seeds.requests:  # nothing from the request to check
            return not endpoint and any(self._callee_verifies(c, body) for c in calls)
        scan = self._scan(body, Seeds(cred, seeds.principals, seeds.requests, seeds.role_fields))
        if scan.checks_credential():
            return True
        if seeds.requests and self._identified() and scan.requires_principal():
            return True  # `if not request.state.user: raise 401` behind an identifying middleware
        for call in calls:
            flows, _ = scan.argument_flows(call)
            if endpoint and not flows:
                continue
            callee = self._callee(call, body)
            if callee is None:
                continue
            if self._ask("verifies", callee.qualname):
                return True
            params = flow_params(callee, flows)
            if params and self._ask("checks:" + ",".join(sorted(params)), callee.qualname):
                return True
        return False

    def _looks_up(self, body: Body) -> bool:
        seeds, _ = self._seeds(body)
        if not seeds.credentials:
            return False
        scan = self._scan(body, seeds)
        returns = [n.value for n in own_nodes(body.node) if isinstance(n, ast.Return) and n.value]
        return any(scan.lookup(r) for r in returns)

    def _imported(self, name: str, mod: ModuleInfo) -> tuple[ModuleInfo, ast.expr] | None:
        sym = self.p.resolve_name(name, mod)
        if isinstance(sym, tuple) and self.p.modules[sym[0]].globals.get(sym[1]):
            home = self.p.modules[sym[0]]
            return home, home.globals[sym[1]][0]
        return None

    def _callee_verifies(self, call: ast.Call, body: Body) -> bool:
        callee = self._callee(call, body)
        return callee is not None and self._ask("verifies", callee.qualname)

    def _with_helpers(self, body: Body, calls: list[ast.Call]) -> list[ast.AST]:
        """The body's nodes and those of the project functions it calls (one level: a
        `_request_context(request)` helper that reads the Lambda event for it)."""
        found = [*own_nodes(body.node)]
        return found + [n for c in calls if (f := self._callee(c, body)) for n in own_nodes(f.node)]

    def _bound_priv(self, d: Dependency) -> bool:
        """`Depends(Checker("admin"))`: the instance's `__call__` with its arguments bound."""
        if not d.args or d.target is None:
            return False
        target, args = d.target, d.args
        return self._solve(
            ("bound", target, args),
            lambda: any(self._body_priv(b) for b in bound_call(self.p, target, args)),
        )

    def _body_priv(self, body: Body) -> bool:
        seeds, targets = self._seeds(body)
        if seeds.credentials and fixed_secret(own_nodes(body.node), body.module, seeds.credentials):
            return True  # one operator's secret (`X-Admin-Token` against ADMIN_TOKEN)
        scan = self._scan(body, seeds)
        if scan.checks_role() or (seeds.principals and allow_listed(self.p, body, scan)):
            return True  # (a role compared, or the caller's own item in an allow-list table)
        return any(self._ask("priv", t) for t in targets)

    def _body_scopes(self, body: Body) -> bool:
        """The body raises after reading the scopes FastAPI passes to its `SecurityScopes`
        parameter, or a dependency it takes does (scopes reach every level below)."""
        params = {
            a.arg
            for a in (*body.node.args.posonlyargs, *body.node.args.args, *body.node.args.kwonlyargs)
            if a.annotation is not None and last_name(a.annotation) == "SecurityScopes"
        }
        found = nodes(body.node)
        reads = any(
            isinstance(n, ast.Attribute)
            and n.attr in ("scopes", "scope_str")
            and isinstance(n.value, ast.Name)
            and n.value.id in params
            for n in found
        )
        if reads and any(isinstance(n, ast.Raise) for n in found):
            return True
        return any(self._ask("scopes", t) for t in self._seeds(body)[1])

    def _callee(self, call: ast.Call, body: Body) -> FunctionInfo | None:
        frame = Frame(body.fn, body.module)
        try:
            found = self.p.resolve_call_target(call, frame, self.p.types)
        except RecursionError:
            return None
        if isinstance(found, ClassRef):
            return None
        return found
