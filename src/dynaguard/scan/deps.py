"""FastAPI dependencies: `Depends()`/`Security()` targets and where their callables live.

Whether one authenticates or restricts a route to some roles is decided by what it does
(authn.py); `[tool.dynaguard] auth_dependencies` names are the only names that count.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.model import ClassRef, ConstArg, Dependency, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, dotted, last_name

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

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
# Dependency.level of a principal known only by a configured name (`user: CurrentUser`
# imported from outside the scanned paths and listed in `auth_dependencies`).
ASSUMED = "assumed"


def deps(project: Project, mod: ModuleInfo, expr: ast.expr | None, level: str) -> list[Dependency]:
    if not isinstance(expr, ast.List | ast.Tuple):
        return []
    return [dependency(project, mod, e, level) for e in expr.elts if isinstance(e, ast.Call)]


def dependency(project: Project, mod: ModuleInfo, call: ast.Call, level: str) -> Dependency:
    """The dependency a `Depends(...)`/`Security(...)` call declares."""
    dep = _dependency(project, mod, call, level)
    scopes = kw(call, "scopes")
    if dep.security and isinstance(scopes, ast.List | ast.Tuple):
        constant = [e.value for e in scopes.elts if isinstance(e, ast.Constant)]
        return replace(dep, scopes=tuple(v for v in constant if isinstance(v, str)))
    return dep


def _dependency(project: Project, mod: ModuleInfo, call: ast.Call, level: str) -> Dependency:
    kind = (dotted(call.func, mod) or "").rsplit(".", 1)[-1]
    target_expr = call.args[0] if call.args else kw(call, "dependency")
    if target_expr is None:
        return Dependency(None, "", kind == "Security", level)
    name = last_name(target_expr) or ""
    security = kind == "Security"
    if (made := _made(project, mod, target_expr, name, security=security, level=level)) is not None:
        return made
    sym = project.resolve_expr(target_expr, mod)
    if isinstance(sym, tuple) and (home := project.modules.get(sym[0])) is not None:
        # `require_admin = require_role("admin")` at module level, then Depends(require_admin)
        values = home.globals.get(sym[1], [])
        if len(values) == 1 and (
            made := _made(project, home, values[0], name, security=security, level=level)
        ):
            return made
    scheme = _is_scheme(project, sym)
    if isinstance(sym, FunctionInfo):
        return Dependency(sym.qualname, name, kind == "Security" or scheme, level)
    if isinstance(sym, ClassRef):
        return Dependency(sym.qualname, name, kind == "Security" or scheme, level)
    text = sym if isinstance(sym, str) else (f"{sym[0]}:{sym[1]}" if sym else name)
    return Dependency(text, name, kind == "Security" or scheme, level)


def _made(
    project: Project, mod: ModuleInfo, expr: ast.expr, name: str, *, security: bool, level: str
) -> Dependency | None:
    """Depends(require_role("admin")): a project factory's result, with its constant args."""
    if not isinstance(expr, ast.Call):
        return None
    made = project.resolve_expr(expr.func, mod)
    if not isinstance(made, FunctionInfo | ClassRef):
        return None
    callee = made if isinstance(made, FunctionInfo) else project.method(made.qualname, "__init__")
    names = [a.arg for a in callee.params] if callee is not None else []
    if isinstance(made, ClassRef):
        names = names[1:]  # self
    args = _constant_args(expr, names)
    return Dependency(f"{made.qualname}()", name, security, level, args=args)


def _constant_args(call: ast.Call, names: list[str]) -> tuple[tuple[str, ConstArg], ...]:
    """The call's constant arguments by the parameter they bind (`require_scope("a")` and
    `require_scope(scope="a")` alike), by position where the parameters are unknown."""
    pairs = [(names[i] if i < len(names) else str(i), a) for i, a in enumerate(call.args)]
    pairs += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    return tuple((key, v) for key, e in pairs if (v := _constant(e)) is not None)


def _constant(e: ast.expr) -> ConstArg | None:
    if isinstance(e, ast.Constant) and isinstance(e.value, str | int | bool):
        return e.value
    if isinstance(e, ast.List | ast.Tuple | ast.Set):
        items = [
            x.value
            for x in e.elts
            if isinstance(x, ast.Constant) and isinstance(x.value, str | int | bool)
        ]
        return tuple(items) if len(items) == len(e.elts) else None
    return None


def annotated(project: Project, mod: ModuleInfo, ann: ast.expr, dep: Dependency) -> Dependency:
    """`x: Cls = Depends()`: FastAPI calls the annotation itself (`Annotated[Cls, ...]`'s
    first argument, through aliases: `Svc = Annotated[Cls, Depends()]`), so it is the
    dependency."""
    seen: set[tuple[str, str]] = set()
    while isinstance(ann, ast.Name):
        sym = project.resolve_name(ann.id, mod)
        if not isinstance(sym, tuple) or sym in seen:
            break
        seen.add(sym)
        values = project.modules[sym[0]].globals.get(sym[1], [])
        if len(values) != 1 or not isinstance(values[0], ast.Name | ast.Subscript):
            break
        ann, mod = values[0], project.modules[sym[0]]
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Annotated":
        ann = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
    sym = project.resolve_expr(ann, mod)
    name = last_name(ann) or ""
    if isinstance(sym, FunctionInfo | ClassRef):
        return Dependency(sym.qualname, name, dep.security, dep.level)
    if isinstance(sym, str) and sym:
        return Dependency(sym, name, dep.security, dep.level)  # a library class, by its path
    return dep


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
    if name in _configured(project):
        return Dependency(sym, name, False, ASSUMED)
    return None


def _configured(project: Project) -> set[str]:
    """The last names of `[tool.dynaguard] auth_dependencies`."""
    return last_names(project.config.auth_dependencies)


def last_names(names: tuple[str, ...]) -> set[str]:
    """`pkg.auth:whoami` -> `whoami`: configured dependencies match by the name written."""
    return {n.rsplit(".", 1)[-1].rsplit(":", 1)[-1] for n in names}


def _alias_home(project: Project, mod: ModuleInfo, expr: ast.expr | None) -> ModuleInfo:
    """The module whose globals hold the value an alias (of an alias...) names."""
    home, seen = mod, set()
    while isinstance(expr, ast.Name):
        sym = project.resolve_name(expr.id, home)
        values = project.modules[sym[0]].globals.get(sym[1]) if isinstance(sym, tuple) else None
        if not values or not isinstance(sym, tuple) or sym in seen:
            return home  # not an alias, or an alias cycle
        seen.add(sym)
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


def is_auth(project: Project, dep: Dependency) -> bool:
    """Whether a dependency authenticates, judged by what it does (authn.py)."""
    return project.behaviour.authenticates(dep)


def privileged(route: Route) -> str | None:
    """The dependency that restricts the route to some roles, if any (decided in authn.py)."""
    return route.privileged


def kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def kw_text(call: ast.Call, name: str) -> str | None:
    v = kw(call, name)
    return v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
