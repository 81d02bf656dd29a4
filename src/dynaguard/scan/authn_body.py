"""What one function body does with a credential or a principal (see authn.py for the why).

Values are followed through the body's assignments to a fixpoint: a *credential* (a header,
cookie or security-scheme value and what is cut from it), a *lookup* (the result of a call
that took a credential, a verified token's claims), a *principal* (an authenticated
dependency's result, a lookup, `request.state.*`) and a principal's *role* (its role,
group, scope or permission field). A body checks a credential when a test on a lookup, or
a comparison of the credential itself, guards a raise; `if not token` only tests presence.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from dynaguard.scan.authn_verify import state_getattr
from dynaguard.scan.walk import own_nodes

# Fields that hold what a principal may do (JWT `scp`, Cognito `cognito:groups` included).
ROLE_FIELD = re.compile(
    r"(?i)^(roles?|user_?roles?|role_?names?|is_?admin|is_?superuser|is_?staff|admin|superuser"
    r"|staff|groups?|cognito:groups|scopes?|scp|permissions?|perms|privileges?|authorities"
    r"|access_?level)$"
)
# role values every signed-in user holds: a check that lets them through gates nothing
ORDINARY_ROLES = frozenset(
    {"user", "users", "member", "members", "customer", "customers", "viewer", "viewers"}
    | {"guest", "guests", "basic"}
)

Body = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class Seeds:
    """Parameter names known on entry: credentials, principals, the request."""

    credentials: frozenset[str] = frozenset()
    principals: frozenset[str] = frozenset()
    requests: frozenset[str] = frozenset()
    # attributes of a principal that its dependency computes from a role field
    # (`Principal(admin="ops" in claims["groups"])`): a privilege, whatever their name
    role_fields: frozenset[str] = frozenset()
    # what a dependency that looks the credential up returns, or None (not a principal
    # until the body refuses the request without it)
    identified: frozenset[str] = frozenset()


class BodyScan:
    """The tainted names of one body, and the questions authn.py asks about them."""

    def __init__(self, node: Body, seeds: Seeds, verifier: Callable[[ast.Call], bool]) -> None:
        self.node = node
        self.nodes = own_nodes(node)
        self._verifier = verifier
        self._verified: dict[tuple[int, int, int, int], bool] = {}
        self.requests = set(seeds.requests)
        self.cred = set(seeds.credentials)
        self.looked: set[str] = set()
        self.principal = set(seeds.principals)
        self.roles: set[str] = set()
        self.role_fields = seeds.role_fields
        self.locals = {a.arg for a in _params(node)} | _assigned(self.nodes)
        self._propagate()

    def is_verifier(self, call: ast.Call) -> bool:
        """The callback's answer, asked once per call (keyed by its position, a value)."""
        where = (call.lineno, call.col_offset, call.end_lineno or 0, call.end_col_offset or 0)
        found = self._verified.get(where)
        if found is None:
            found = self._verified[where] = self._verifier(call)
        return found

    # -- classification of expressions ------------------------------------------------

    def credential(self, e: ast.AST) -> bool:
        """The expression carries a credential (a header value, a token, a scheme value)."""
        for n in _walk(e):
            if isinstance(n, ast.Name) and n.id in self.cred:
                return True
            if self._header_value(n):
                return True
        return False

    def _header_value(self, n: ast.AST) -> bool:
        # request.headers["x"], request.headers.get("x"), request.cookies[...]
        if isinstance(n, ast.Subscript | ast.Call):
            base: ast.expr | None = n.value if isinstance(n, ast.Subscript) else n.func
            if isinstance(n, ast.Call) and isinstance(base, ast.Attribute):
                base = base.value if base.attr == "get" else None
            return (
                isinstance(base, ast.Attribute)
                and base.attr in ("headers", "cookies")
                and isinstance(base.value, ast.Name)
                and base.value.id in self.requests
            )
        return False

    def lookup(self, e: ast.AST) -> bool:
        """A call that took a credential as an argument, a verifier, or a name bound to one."""
        for n in _walk(e):
            if isinstance(n, ast.Name) and n.id in self.looked:
                return True
            if isinstance(n, ast.Call) and (
                self.is_verifier(n)
                or any(self.credential(a) for a in [*n.args, *(k.value for k in n.keywords)])
            ):
                return True
        return False

    def principal_of(self, e: ast.AST) -> bool:
        """A principal or a lookup by the credential: the caller's own record."""
        for n in _walk(e):
            if isinstance(n, ast.Name) and n.id in self.principal | self.looked:
                return True
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Attribute)
                and n.value.attr == "state"
                and isinstance(n.value.value, ast.Name)
                and n.value.value.id in self.requests
            ):
                return True  # request.state.user, set by a middleware
            if state_getattr(n, self.requests):
                return True  # getattr(request.state, "user", None)
            if (
                isinstance(n, ast.Attribute)
                and n.attr == "user"
                and isinstance(n.value, ast.Name)
                and n.value.id in self.requests
            ):
                return True  # request.user, set by Starlette's AuthenticationMiddleware
        return self.lookup(e)

    def role(self, e: ast.AST) -> bool:
        """A principal's role/group/scope/permission field, or a name bound to one."""
        for n in _walk(e):
            if isinstance(n, ast.Name) and n.id in self.roles:
                return True
            field, owner = _field(n)
            named = field is not None and (ROLE_FIELD.match(field) or field in self.role_fields)
            if named and owner is not None and self.principal_of(owner):
                return True
        return False

    def privilege(self, e: ast.expr) -> bool:
        """A role of the principal tested against privileged values only (or a privilege
        flag by itself): the expression is true for some callers, not for every one."""
        return self.role(e) and self._role_against_fixed(e)

    def fixed(self, e: ast.AST) -> bool:
        """A value no request decides: constants, module names, a factory's closure, and
        what a module function given nothing returns (`_admin_emails()` read from env)."""
        found = list(_walk(e))
        return not any(isinstance(n, ast.Name) and n.id in self.locals for n in found) and all(
            isinstance(c.func, ast.Name) and not (c.args or c.keywords)
            for c in found
            if isinstance(c, ast.Call)
        )

    # -- propagation through assignments ---------------------------------------------

    def _propagate(self) -> None:
        pairs = _assignments(self.nodes)
        changed = True
        while changed:  # each pass adds a name or stops: bounded by the names assigned
            changed = False
            for names, value in pairs:
                for found, test in (
                    (self.looked, self.lookup),
                    (self.cred, self.credential),
                    (self.roles, self.role),
                    (self.principal, self.principal_of),
                ):
                    if test(value) and not names <= found:
                        found.update(names)
                        changed = True

    # -- the questions ------------------------------------------------------------------

    def verifies(self) -> bool:
        """A verifier is called here (a signature check, a constant-time compare)."""
        return any(isinstance(n, ast.Call) and self.is_verifier(n) for n in self.nodes)

    def checks_credential(self) -> bool:
        """A lookup or comparison of the credential guards a raise (or fails by itself)."""
        for n in self.nodes:
            if isinstance(n, ast.Subscript) and _const(n.slice) == "Item" and self.lookup(n.value):
                return True  # resp["Item"] on a lookup by the credential: KeyError when absent
            test = self._guard(n)
            if test is not None and (self.lookup(test) or self._compares_credential(test)):
                return True
        return False

    def requires_principal(self) -> bool:
        """A guard refuses the request unless the caller is there (`if not request.state.user:
        raise`): the caller a middleware recorded."""
        for n in self.nodes:
            test = self._guard(n)
            if test is not None and self.principal_of(test):
                return True
        return False

    def _compares_credential(self, test: ast.expr) -> bool:
        for n in _walk(test):
            if isinstance(n, ast.Compare):
                sides = [n.left, *n.comparators]
                if all(isinstance(op, ast.Is | ast.IsNot) for op in n.ops):
                    continue  # `token is None`: presence only
                if any(self.credential(s) for s in sides):
                    return True
        return False

    def checks_role(self, among: list[ast.stmt] | None = None) -> bool:
        """A role field of the principal, compared with fixed values, guards a raise; or
        the principal must be in a fixed allow-list (`if caller not in STAFF: raise`).
        `among`: only these statements (an endpoint's own top level), else any."""
        for n in self.nodes if among is None else among:
            test = self._guard(n)
            if test is None:
                continue
            if self.role(test) and self._role_against_fixed(test):
                return True
            if isinstance(n, ast.If | ast.Assert) and self._allow_list(test, n):
                return True
        return False

    def _allow_list(self, test: ast.expr, guard: ast.If | ast.Assert) -> bool:
        """Membership of the caller in a fixed collection decides who passes: `not in`
        guarding the raise, or `in` on the assert/the branch that lets the caller through.
        (`if caller in BANNED: raise` is a deny-list: everyone else passes.) Not in the body
        that verifies the credential: `user not in USERS` there asks whether the user
        exists, which every user passes."""
        if self.verifies() or self.checks_credential():
            return False
        lets_through = isinstance(guard, ast.Assert) or not any(
            isinstance(x, ast.Raise) for s in guard.body for x in [s, *own_nodes(s)]
        )
        for c in _walk(test):
            if not (isinstance(c, ast.Compare) and len(c.ops) == 1):
                continue
            member = isinstance(c.ops[0], ast.In)
            if not (member or isinstance(c.ops[0], ast.NotIn)) or member is not lets_through:
                continue
            if self.principal_of(c.left) and not self.role(c.left) and self.fixed(c.comparators[0]):
                return not isinstance(c.comparators[0], ast.Constant)  # not a substring test
        return False

    def _role_against_fixed(self, test: ast.expr) -> bool:
        compares = [n for n in _walk(test) if isinstance(n, ast.Compare)]
        for c in compares:
            sides = [c.left, *c.comparators]
            mine = [s for s in sides if self.role(s)]
            others = [s for s in sides if s not in mine]
            if not mine or not all(self.fixed(s) for s in others):
                continue
            roles = {v.lower() for s in others for v in _strings(s)}
            if not roles or privileged_values(c, c.left in mine, roles):
                return True
        # `if not user.is_superuser`: a privilege flag tested by itself
        return not compares

    def _guard(self, n: ast.AST) -> ast.expr | None:
        """The test of an `if`/`assert` that guards a raise."""
        if isinstance(n, ast.Assert):
            return n.test
        if isinstance(n, ast.If | ast.While):
            body = [x for s in [*n.body, *n.orelse] for x in [s, *own_nodes(s)]]
            if any(isinstance(x, ast.Raise) for x in body):
                return n.test
            if any(isinstance(x, ast.Return) for x in n.body) and self._raises_after(n):
                return n.test  # `if ok: return user` ... `raise HTTPException(403)`
            if self._closes(body) and any(isinstance(x, ast.Return) for x in body):
                return n.test  # a websocket refused: `await websocket.close(4401); return`
        return None

    def _closes(self, found: list[ast.AST]) -> bool:
        return any(
            isinstance(x, ast.Call)
            and isinstance(x.func, ast.Attribute)
            and x.func.attr == "close"
            and isinstance(x.func.value, ast.Name)
            and x.func.value.id in self.requests
            for x in found
        )

    def _raises_after(self, n: ast.stmt) -> bool:
        end = n.end_lineno or n.lineno
        return any(isinstance(x, ast.Raise) and x.lineno > end for x in self.nodes)

    def argument_flows(self, call: ast.Call) -> tuple[list[str], list[str]]:
        """Which positions/keywords of a call carry a credential, and which a principal."""
        cred: list[str] = []
        princ: list[str] = []
        for i, a in enumerate(call.args):
            cred += [str(i)] if self.credential(a) else []
            princ += [str(i)] if self.principal_of(a) else []
        for k in call.keywords:
            if k.arg is not None:
                cred += [k.arg] if self.credential(k.value) else []
                princ += [k.arg] if self.principal_of(k.value) else []
        return cred, princ

    def computed_roles(self) -> set[str]:
        """The attributes the body sets from a privilege test of its principal's role: a
        returned constructor's keywords, a dict's keys, `user.attr = ...`."""
        out: set[str] = set()
        for n in self.nodes:
            if isinstance(n, ast.Return) and isinstance(n.value, ast.Call):
                out |= {k.arg for k in n.value.keywords if k.arg and self.privilege(k.value)}
            elif isinstance(n, ast.Dict):
                pairs = zip(n.keys, n.values, strict=True)
                out |= {t for k, v in pairs if (t := _const(k)) and self.privilege(v)}
            elif isinstance(n, ast.Assign) and self.privilege(n.value):
                out |= {t.attr for t in n.targets if isinstance(t, ast.Attribute)}
        return out

    def calls(self) -> list[ast.Call]:
        """Every call written in the body (nested functions excluded)."""
        return [n for n in self.nodes if isinstance(n, ast.Call)]


def _params(node: Body) -> list[ast.arg]:
    a = node.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs]


def param_names(node: Body) -> list[str]:
    """Positional then keyword-only parameter names."""
    return [a.arg for a in _params(node)]


def _assigned(nodes: list[ast.AST]) -> set[str]:
    return {n for names, _ in _assignments(nodes) for n in names}


def _assignments(nodes: list[ast.AST]) -> list[tuple[set[str], ast.expr]]:
    out: list[tuple[set[str], ast.expr]] = []
    for n in nodes:
        if isinstance(n, ast.Assign):
            out.append(({x for t in n.targets for x in _target_names(t)}, n.value))
        elif isinstance(n, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and n.value is not None:
            out.append((_target_names(n.target), n.value))
        elif isinstance(n, ast.For | ast.AsyncFor | ast.comprehension):
            out.append((_target_names(n.target), n.iter))
        elif isinstance(n, ast.withitem) and n.optional_vars is not None:
            out.append((_target_names(n.optional_vars), n.context_expr))
    return [(names, value) for names, value in out if names]


def _target_names(t: ast.expr) -> set[str]:
    if isinstance(t, ast.Name):
        return {t.id}
    if isinstance(t, ast.Tuple | ast.List | ast.Starred):
        elts = t.elts if isinstance(t, ast.Tuple | ast.List) else [t.value]
        return {x for e in elts for x in _target_names(e)}
    return set()


def _field(n: ast.AST) -> tuple[str | None, ast.expr | None]:
    """`user.role` / `claims["scp"]` / `claims.get("groups")` -> (field, owner)."""
    if isinstance(n, ast.Attribute):
        return n.attr, n.value
    if isinstance(n, ast.Subscript):
        return _const(n.slice), n.value
    if (
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "get"
        and n.args
    ):
        return _const(n.args[0]), n.func.value
    return None, None


def _const(e: ast.AST | None) -> str | None:
    return e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None


def _strings(e: ast.AST) -> list[str]:
    return [s for n in _walk(e) if (s := _const(n)) is not None]


def _walk(e: ast.AST) -> list[ast.AST]:
    return [e, *own_nodes(e)]


def privileged_values(compare: ast.Compare, role_left: bool, roles: set[str]) -> bool:
    """The fixed values a role is compared with let only some callers through: one that is
    not an ordinary role (`"admin" in user.roles`, `user.role != "admin"`); for an
    allow-list (`user.role in ("customer", "support")`), none may be ordinary, or every
    signed-in user passes."""
    allow_list = role_left and isinstance(compare.ops[0], ast.In | ast.NotIn)
    return roles.isdisjoint(ORDINARY_ROLES) if allow_list else not roles <= ORDINARY_ROLES
