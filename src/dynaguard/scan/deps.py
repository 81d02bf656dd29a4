"""FastAPI dependencies: `Depends()`/`Security()` targets, and which ones authenticate.

A dependency authenticates when it is a security scheme (OAuth2PasswordBearer, HTTPBearer,
APIKeyHeader...), wrapped in `Security()`, named like one (`get_current_user`,
`CurrentUser`, `verify_token`, `require_admin`...; `[tool.dynaguard] auth_dependencies` adds
names), or itself depends on one of those.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from dynaguard.scan.model import ClassRef, Dependency, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, dotted, last_name

if TYPE_CHECKING:
    from dynaguard.scan.index import Project

SCHEMES = frozenset(
    {
        "OAuth2PasswordBearer",
        "OAuth2AuthorizationCodeBearer",
        "HTTPBearer",
        "HTTPBasic",
        "HTTPDigest",
        "APIKeyHeader",
        "APIKeyCookie",
        "APIKeyQuery",
        "OpenIdConnect",
        "OAuth2",
    }
)
# Names real projects give the dependency that returns the caller; config adds more.
AUTH_NAME = re.compile(
    r"(?i)^(get_)?(current_?(active_?)?(user|principal|account|member|identity|subject|tenant)"
    r"|.*auth.*|verify_?(token|jwt|user|api_?key|credentials)|require_?(user|login|auth|token)"
    r"|(get_)?user_?from_?token|(get_)?token_?user|principal|login_required|validate_?token"
    r"|decode_?token|check_?(token|auth)|(get_)?(current_)?(admin|superuser|staff)(_?user)?"
    r"|require_?(admin|superuser|staff|role|roles|scope|scopes|permission|permissions)"
    r"|.*_required|(role|permission|scope)_?checker|has_?(role|permission|scope)s?)$"
)
# Names of `Annotated[User, Depends(get_current_user)]` aliases (`CurrentUser`,
# `AuthenticatedUser`, `CurrentSuperuser`...): when the alias is imported from code the
# scan cannot read, its name is all there is to go on.
# Stricter than AUTH_NAME: a bare `Admin` or an `AuthRequest` is as likely a body model.
PRINCIPAL_ALIAS = re.compile(
    r"(?i)^((current|authenticated|authed|auth|verified|logged_?in|signed_?in|request)_?"
    r"(active_?)?(user|principal|account|member|identity|subject|tenant|admin|superuser|staff)"
    r"|principal|(verify|validate|decode|check)_?(token|jwt|user|api_?key|credentials)"
    r"|require_?(user|login|auth|token|admin|superuser|staff|roles?|scopes?|permissions?)"
    r"|(user_?from_?token|token_?user))(_?dep(endency)?)?$"
)
# Dependency.level of a principal known only by the name of an alias the scan could not
# read (`user: CurrentUser` imported from outside the scanned paths).
ASSUMED = "assumed"
# Dependencies that authorise a privileged caller (function-level authorisation): such a
# route may legitimately reach any object, so object-ownership rules do not apply.
PRIVILEGED = re.compile(r"(?i)admin|superuser|staff|role|permission|scope")


def deps(project: Project, mod: ModuleInfo, expr: ast.expr | None, level: str) -> list[Dependency]:
    if not isinstance(expr, ast.List | ast.Tuple):
        return []
    return [dependency(project, mod, e, level) for e in expr.elts if isinstance(e, ast.Call)]


def dependency(project: Project, mod: ModuleInfo, call: ast.Call, level: str) -> Dependency:
    kind = (dotted(call.func, mod) or "").rsplit(".", 1)[-1]
    target_expr = call.args[0] if call.args else kw(call, "dependency")
    if target_expr is None:
        return Dependency(None, "", kind == "Security", level)
    sym = project.resolve_expr(target_expr, mod)
    name = last_name(target_expr) or ""
    scheme = _is_scheme(project, sym)
    if isinstance(sym, FunctionInfo):
        return Dependency(sym.qualname, name, kind == "Security" or scheme, level)
    if isinstance(sym, ClassRef):
        return Dependency(sym.qualname, name, kind == "Security" or scheme, level)
    text = sym if isinstance(sym, str) else (f"{sym[0]}:{sym[1]}" if sym else name)
    return Dependency(text, name, kind == "Security" or scheme, level)


def depends_of(
    project: Project, mod: ModuleInfo, expr: ast.expr | None
) -> tuple[ast.Call, ModuleInfo] | None:
    """The Depends()/Security() call of a default or annotation, and the module it is in.

    `me: CurrentUser` may name an alias defined in another module: the callable inside
    its Depends() must be resolved there, not where the alias is used.
    """
    call = project.depends_call(expr, mod) if expr is not None else None
    return (call, _alias_home(project, mod, expr)) if call is not None else None


def assumed_principal(project: Project, mod: ModuleInfo, ann: ast.expr | None) -> Dependency | None:
    """`user: CurrentUser` where the alias is imported from code the scan cannot read."""
    if not isinstance(ann, ast.Name | ast.Attribute):
        return None
    sym = project.resolve_expr(ann, mod)
    # a resolved symbol is judged by what it is (an alias without Depends is no
    # dependency); a module name is no alias
    if not isinstance(sym, str) or sym in project.modules:
        return None
    name = sym.rsplit(".", 1)[-1]
    if name in _configured(project) or PRINCIPAL_ALIAS.match(name):
        return Dependency(sym, name, False, ASSUMED)
    return None


def _configured(project: Project) -> set[str]:
    """The last names of `[tool.dynaguard] auth_dependencies`."""
    return {n.rsplit(".", 1)[-1].rsplit(":", 1)[-1] for n in project.config.auth_dependencies}


def _alias_home(project: Project, mod: ModuleInfo, expr: ast.expr | None) -> ModuleInfo:
    home = mod
    for _ in range(5):  # the depth index.depends_call follows aliases of aliases to
        if not isinstance(expr, ast.Name):
            return home
        sym = project.resolve_name(expr.id, home)
        values = project.modules[sym[0]].globals.get(sym[1]) if isinstance(sym, tuple) else None
        if not values or not isinstance(sym, tuple):
            return home
        home, expr = project.modules[sym[0]], values[0]
    return home


def _is_scheme(project: Project, sym: object) -> bool:
    # oauth2_scheme = OAuth2PasswordBearer(...): depending on the scheme is authentication
    if isinstance(sym, tuple):
        mod = project.modules[sym[0]]
        for value in mod.globals.get(sym[1], []):
            if isinstance(value, ast.Call) and (last_name(value.func) or "") in SCHEMES:
                return True
    return False


def is_auth(project: Project, dep: Dependency, depth: int = 0) -> bool:
    """Whether a dependency authenticates: a scheme, a known name, or one built on those."""
    if dep.security:
        return True
    name = dep.name or "-"
    if name in _configured(project) or AUTH_NAME.match(name) or PRINCIPAL_ALIAS.match(name):
        return True
    fn = project.functions.get(dep.target or "")
    if fn is None or depth > 4:
        return False
    mod = project.module_of(fn)
    for arg in fn.params:
        found = depends_of(project, mod, fn.default_of(arg.arg))
        found = found or depends_of(project, mod, arg.annotation)
        if found is None:
            if assumed_principal(project, mod, arg.annotation) is not None:
                return True  # `def require_owner(user: CurrentUser)`, the alias unread
        elif is_auth(project, dependency(project, found[1], found[0], "param"), depth + 1):
            return True
    return False


def privileged(route: Route) -> str | None:
    """The name of a dependency that restricts the route to privileged callers, if any."""
    return next((d.name for d in route.all_dependencies if PRIVILEGED.search(d.name)), None)


def auth_text(node: ast.AST, name: str) -> bool:
    # Middleware that reads the Authorization header or is named for auth is authentication.
    if re.search(r"(?i)auth|jwt|token|session", name):
        return True
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.lower() in ("authorization", "x-api-key")
        for n in ast.walk(node)
    )


def kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def kw_text(call: ast.Call, name: str) -> str | None:
    v = kw(call, name)
    return v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
