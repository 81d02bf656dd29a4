"""Which objects are FastAPI apps and routers, found by what they are and what is done with
them, not by the name of the class that made them.

An object is a router when `FastAPI()` or `APIRouter()` makes it, or a project class that
derives from either, or, for a library's router class the scan cannot read (fastapi-utils'
`InferringRouter`, a company's shared `VersionedRouter`), when the code both declares path
operations on it (`@router.get("/x")`) and includes it in an app or a router
(`app.include_router(router)`): only a router can be included, and an object used that way
that is not one would fail at start-up.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.scan.deps import deps as level_deps
from dynaguard.scan.deps import kw, kw_text
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo, Router
from dynaguard.scan.symbols import ROUTE_DECORATORS, ModuleInfo, dotted
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

ROUTER_CLASSES = ("FastAPI", "APIRouter")


def find_routers(project: Project) -> None:
    """Fill project.routers with every app and router the modules make."""
    pending: dict[str, tuple[ModuleInfo, ast.stmt, ast.Call]] = {}
    for mod in list(project.modules.values()):
        receivers = _operation_receivers(mod)
        for prefix, stmt, name, call in _assignments(mod):
            qual = f"{mod.name}:{prefix}{name}"
            made = _made_by(project, call, mod)
            if made is not None:
                _add(project, mod, qual, call, stmt, is_app=made == "FastAPI")
            elif name in receivers:
                pending[qual] = (mod, stmt, call)  # a router if the code includes it
    if pending:
        for qual in _included(project, set(pending)):
            mod, stmt, call = pending[qual]
            _add(project, mod, qual, call, stmt, is_app=False)


def router_of(project: Project, expr: ast.expr, mod: ModuleInfo, scope: str = "") -> str | None:
    """The qualname of the router an expression names (`router`, `items.router`, `app`)."""
    if isinstance(expr, ast.Name) and scope and f"{mod.name}:{scope}{expr.id}" in project.routers:
        return f"{mod.name}:{scope}{expr.id}"
    sym = project.resolve_expr(expr, mod)
    if isinstance(sym, tuple):
        qual = f"{sym[0]}:{sym[1]}"
        return qual if qual in project.routers else None
    return None


def included_routers(project: Project, call: ast.Call, mod: ModuleInfo, scope: str) -> list[str]:
    """The routers `x.include_router(arg)` includes: the one `arg` names or a factory
    returns, or, in `for m in (items, users): app.include_router(m.router)`, each one."""
    arg = call.args[0]
    made = factory_call(project, arg, mod, scope)
    found = router_of(project, arg, mod, scope) or made_router(project, made or arg, mod)
    if found is not None:
        return [found]
    root = arg.value if isinstance(arg, ast.Attribute) else arg
    if not isinstance(root, ast.Name):
        return []
    out: list[str] = []
    for loop in nodes(mod.tree):
        if not (
            isinstance(loop, ast.For)
            and isinstance(loop.target, ast.Name)
            and loop.target.id == root.id
            and isinstance(loop.iter, ast.Tuple | ast.List)
            and any(n is call for stmt in loop.body for n in nodes(stmt))
        ):
            continue
        for elt in loop.iter.elts:  # the loop variable replaced by each element
            each = (
                ast.Attribute(elt, arg.attr, ast.Load()) if isinstance(arg, ast.Attribute) else elt
            )
            qual = router_of(project, ast.copy_location(each, arg), mod, scope)
            out += [qual] if qual is not None and qual not in out else []
    return out


def factory_call(project: Project, expr: ast.expr, mod: ModuleInfo, scope: str) -> ast.Call | None:
    """The call of a project function that made an included router: the argument itself
    (`include_router(crud_router(...))`) or the one call a name was assigned from
    (`r = crud_router(...)`, then `include_router(r)`), at module level or in the scope."""
    if isinstance(expr, ast.Name):
        host = mod.functions.get(scope.rstrip(".")) if scope else None
        values = (
            project.locals_of(Frame(host, mod)).assigns.get(expr.id, [])
            if host is not None
            else mod.globals.get(expr.id, [])
        )
        expr = values[0] if len(values) == 1 else expr
    if not isinstance(expr, ast.Call):
        return None
    fn = project.resolve_expr(expr.func, mod)
    return expr if isinstance(fn, FunctionInfo) else None


def made_router(project: Project, expr: ast.expr, mod: ModuleInfo) -> str | None:
    """The router a factory call returns (`app.include_router(build_router())`)."""
    if not isinstance(expr, ast.Call):
        return None
    fn = project.resolve_expr(expr.func, mod)
    if not isinstance(fn, FunctionInfo):
        return None
    for stmt in nodes(fn.node):
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name):
            qual = f"{fn.module}:{fn.name}.{stmt.value.id}"
            if qual in project.routers:
                return qual
    return None


def scope_of(project: Project, mod: ModuleInfo, node: ast.AST) -> str:
    """The top-level function a node is in (`create_app.`), or "" at module level."""
    line = getattr(node, "lineno", 0)
    for f in mod.functions.values():
        top = f.class_name is None and f.qualname.endswith(f":{f.name}")  # not a nested one
        if top and f.node.lineno <= line <= (f.node.end_lineno or 0):
            return f"{f.name}."
    return ""


def _assignments(mod: ModuleInfo) -> Iterator[tuple[str, ast.stmt, str, ast.Call]]:
    """(scope, statement, name, call) for `name = call(...)` at module level and in the
    top-level functions (an app factory builds its app and routers there)."""
    scopes: list[tuple[str, list[ast.stmt]]] = [("", mod.tree.body)]
    scopes += [
        (f"{f.name}.", f.node.body)
        for f in mod.functions.values()
        if f.class_name is None and f.qualname.endswith(f":{f.name}")
    ]
    for prefix, body in scopes:
        for stmt in body:
            if not isinstance(stmt, ast.Assign | ast.AnnAssign):
                continue
            if not isinstance(stmt.value, ast.Call):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    yield prefix, stmt, t.id, stmt.value


def _made_by(project: Project, call: ast.Call, mod: ModuleInfo) -> str | None:
    """ "FastAPI" or "APIRouter" when the call makes one (or a project subclass of one)."""
    name = (dotted(call.func, mod) or "").rsplit(".", 1)[-1]
    if name in ROUTER_CLASSES:
        return name
    sym = project.resolve_expr(call.func, mod)
    if isinstance(sym, ClassRef):
        for cls in project.mro(sym.qualname):
            for base in cls.bases:
                last = base.rsplit(".", 1)[-1]
                if last in ROUTER_CLASSES:
                    return last
    return None


def _operation_receivers(mod: ModuleInfo) -> set[str]:
    """Names path operations are declared on in a module (`@router.get("/x")` -> router)."""
    out: set[str] = set()
    for fn in mod.functions.values():
        for dec in fn.node.decorator_list:
            if (
                isinstance(dec, ast.Call)
                and isinstance(dec.func, ast.Attribute)
                and dec.func.attr in ROUTE_DECORATORS
                and isinstance(dec.func.value, ast.Name)
            ):
                out.add(dec.func.value.id)
    return out


def _included(project: Project, candidates: set[str]) -> set[str]:
    """The candidates some `x.include_router(candidate)` call includes."""
    found: set[str] = set()
    for mod in list(project.modules.values()):
        frames = [Frame(None, mod), *(Frame(f, mod) for f in mod.functions.values())]
        for frame in frames:
            for node in project.locals_of(frame).calls:
                if not (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr == "include_router"
                    and node.args
                ):
                    continue
                arg = node.args[0]
                scope = scope_of(project, mod, node)
                if isinstance(arg, ast.Name) and f"{mod.name}:{scope}{arg.id}" in candidates:
                    found.add(f"{mod.name}:{scope}{arg.id}")
                    continue
                sym = project.resolve_expr(arg, mod)
                if isinstance(sym, tuple) and f"{sym[0]}:{sym[1]}" in candidates:
                    found.add(f"{sym[0]}:{sym[1]}")
    return found


def _add(
    project: Project, mod: ModuleInfo, qual: str, call: ast.Call, stmt: ast.stmt, *, is_app: bool
) -> None:
    project.routers[qual] = Router(
        qual,
        is_app,
        kw_text(call, "prefix") or "",
        level_deps(project, mod, kw(call, "dependencies"), "app" if is_app else "router"),
        mod.path,
        stmt.lineno,
    )


def view_route(project: Project, mod: ModuleInfo, call: ast.Call) -> FunctionInfo | None:
    """`router.add_api_route(path, self.create)` in a method of a view class: the method."""
    fn = _enclosing(mod, call)
    target = call.args[1] if len(call.args) > 1 else None
    if fn is None or fn.class_name is None or not isinstance(target, ast.Attribute):
        return None
    if not (isinstance(target.value, ast.Name) and target.value.id == "self"):
        return None
    return project.method(f"{fn.module}:{fn.class_name}", target.attr)


def view_router(project: Project, mod: ModuleInfo, call: ast.Call) -> str | None:
    """`router.add_api_route(...)` in `__init__(self, router)` of a class built as
    `RecipeViews(router)`: the router the constructor is given."""
    fn = _enclosing(mod, call)
    recv = call.func.value if isinstance(call.func, ast.Attribute) else None
    if fn is None or fn.name != "__init__" or fn.class_name is None:
        return None
    params = [a.arg for a in fn.node.args.args]
    if not isinstance(recv, ast.Name) or recv.id not in params[1:]:
        return None
    index = params.index(recv.id) - 1  # the constructor's argument: `self` is not passed
    for other, made in _constructions(project).get(f"{fn.module}:{fn.class_name}", []):
        if index < len(made.args):
            found = router_of(project, made.args[index], other, scope_of(project, other, made))
            if found is not None:
                return found
    return None


_BUILT: WeakKeyDictionary[object, dict[str, list[tuple[ModuleInfo, ast.Call]]]]
_BUILT = WeakKeyDictionary()


def _constructions(project: Project) -> dict[str, list[tuple[ModuleInfo, ast.Call]]]:
    """Every `Cls(...)` call of a project class, by class: one walk per project, however
    many routes the view classes add."""
    found = _BUILT.get(project)
    if found is not None:
        return found
    found = _BUILT[project] = {}
    for mod in project.modules.values():
        for frame in (Frame(None, mod), *(Frame(f, mod) for f in mod.functions.values())):
            for made in project.locals_of(frame).calls:
                if isinstance(made.func, ast.Name | ast.Attribute):
                    built = project.resolve_expr(made.func, mod)
                    if isinstance(built, ClassRef):
                        found.setdefault(built.qualname, []).append((mod, made))
    return found


def _enclosing(mod: ModuleInfo, node: ast.AST) -> FunctionInfo | None:
    """The innermost function of the module whose body holds the node."""
    line, best = getattr(node, "lineno", 0), None
    for f in mod.functions.values():
        inside = f.node.lineno <= line <= (f.node.end_lineno or 0)
        if inside and (best is None or f.node.lineno >= best.node.lineno):
            best = f
    return best


def chain(router: str | None, parents: Callable[[str], Iterable[str]]) -> set[str]:
    """The router and every router or app it is included in or mounted on (`parents`: the
    routers one include or mount up): a mounted app's middleware runs for its own routes
    only, its parent's for all of them."""
    out: set[str] = set()
    todo = [router] if router is not None else []
    while todo:
        r = todo.pop()
        if r not in out:
            out.add(r)
            todo += parents(r)
    return out
