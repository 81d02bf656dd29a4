"""FastAPI facts: apps, routers, includes, routes, parameters, dependencies and auth."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from dynaguard.scan.deps import (
    ASSUMED,
    annotated,
    assumed_principal,
    dependency,
    depends_of,
    is_auth,
    kw,
    kw_text,
    privileged,
)
from dynaguard.scan.deps import deps as level_deps
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import (
    ClassRef,
    Dependency,
    ExceptionHandler,
    FunctionInfo,
    Include,
    Middleware,
    ParamSource,
    Route,
    RouteParam,
)
from dynaguard.scan.routers import (
    find_routers,
    included_routers,
    router_of,
    scope_of,
    view_route,
    view_router,
)
from dynaguard.scan.symbols import ROUTE_DECORATORS, ModuleInfo, dotted

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

# is_auth and privileged live in deps.py; rules import them from here too
__all__ = ["assumed_auth", "collect", "is_auth", "params_of", "privileged", "router_of"]

PARAM_MARKERS = {
    "Query": ParamSource.QUERY,
    "Path": ParamSource.PATH,
    "Header": ParamSource.HEADER,
    "Cookie": ParamSource.COOKIE,
    "Body": ParamSource.BODY,
    "Form": ParamSource.FORM,
    "File": ParamSource.FORM,
}
PATH_PARAM = re.compile(r"{([A-Za-z_]\w*)(?::\w+)?}")
ASSUMED_EVIDENCE = "configured in auth_dependencies, its code unread"


def collect(project: Project) -> None:
    """Fill project.routers/includes/routes/exception_handlers/middlewares."""
    find_routers(project)
    for mod in list(project.modules.values()):
        # no app or router anywhere: nothing to include, mount or decorate
        routed = bool(project.routers)
        scopes = (
            [Frame(None, mod), *(Frame(f, mod) for f in mod.functions.values())] if routed else []
        )
        for frame in scopes:
            for node in project.locals_of(frame).calls:
                if isinstance(node.func, ast.Attribute) and node.func.attr in _WIRING:
                    _method_call(project, mod, node)
        for fn in list(mod.functions.values()):
            for dec in fn.node.decorator_list:
                _decorator(project, mod, fn, dec)
        for cls in mod.classes.values():
            if (
                any(b.endswith("BaseHTTPMiddleware") for b in cls.bases)
                and "dispatch" in cls.methods
            ):
                project.middlewares.append(
                    Middleware(
                        cls.methods["dispatch"], None, _verifies(project, cls.methods["dispatch"])
                    )
                )
    incoming: dict[str, list[Include]] = {}
    for inc in project.includes:
        incoming.setdefault(inc.child, []).append(inc)
    for route in project.routes:
        _finish(project, route, incoming)


_WIRING = frozenset(
    {"include_router", "mount", "add_api_route", "add_middleware", "add_exception_handler"}
)


def _method_call(project: Project, mod: ModuleInfo, call: ast.Call) -> None:
    assert isinstance(call.func, ast.Attribute)
    attr = call.func.attr
    if attr not in _WIRING:
        return
    scope = scope_of(project, mod, call)
    parent = router_of(project, call.func.value, mod, scope) or view_router(project, mod, call)
    if attr == "add_exception_handler" and len(call.args) >= 2:
        # registered on whichever app is passed in too (`def install(app): app.add_...`):
        # handlers are not kept per app
        sym = project.resolve_expr(call.args[1], mod)
        if isinstance(sym, FunctionInfo):
            exc = dotted(call.args[0], mod) or ast.unparse(call.args[0])
            project.exception_handlers.append(ExceptionHandler(sym.qualname, exc, call.lineno))
        return
    if parent is None or not call.args:
        return
    if attr == "include_router":
        for child in included_routers(project, call, mod, scope):
            project.includes.append(
                Include(
                    parent,
                    child,
                    kw_text(call, "prefix") or "",
                    level_deps(project, mod, kw(call, "dependencies"), "include"),
                )
            )
    elif attr == "mount" and len(call.args) >= 2:  # app.mount("/v1", sub_app)
        sub = router_of(project, call.args[1], mod, scope)
        where = call.args[0]
        if sub is not None and isinstance(where, ast.Constant) and isinstance(where.value, str):
            project.includes.append(Include(parent, sub, where.value, [], mounted=True))
    elif attr == "add_api_route" and len(call.args) >= 2:
        # `self.create` of a view class, else whatever the argument names
        sym = view_route(project, mod, call) or project.resolve_expr(call.args[1], mod)
        if isinstance(sym, FunctionInfo):
            methods = _methods(kw(call, "methods")) or ("GET",)
            _add_route(
                project, mod, sym, router=parent, call=call, methods=methods, path_expr=call.args[0]
            )
    elif attr == "add_middleware":
        sym = project.resolve_expr(call.args[0], mod)
        if isinstance(sym, ClassRef):
            cls = project.classes[sym.qualname]
            dispatch = cls.methods.get("dispatch") or cls.methods.get("__call__")
            if dispatch:
                project.middlewares.append(
                    Middleware(dispatch, parent, _verifies(project, dispatch))
                )


def _decorator(project: Project, mod: ModuleInfo, fn: FunctionInfo, dec: ast.expr) -> None:
    if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
        return
    attr = dec.func.attr
    router = router_of(project, dec.func.value, mod, scope_of(project, mod, fn.node))
    if router is None:
        _unresolved(project, mod, dec)
        return
    if attr in ROUTE_DECORATORS:
        methods = (
            (attr.upper(),) if attr != "api_route" else (_methods(kw(dec, "methods")) or ("GET",))
        )
        path = dec.args[0] if dec.args else kw(dec, "path")
        _add_route(project, mod, fn, router=router, call=dec, methods=methods, path_expr=path)
    elif attr == "exception_handler" and dec.args:
        exc = dotted(dec.args[0], mod) or ast.unparse(dec.args[0])
        project.exception_handlers.append(ExceptionHandler(fn.qualname, exc, dec.lineno))
    elif attr == "middleware":
        project.middlewares.append(Middleware(fn.qualname, router, _verifies(project, fn.qualname)))


def _verifies(project: Project, qualname: str) -> bool:
    return project.behaviour.middleware_verifies(qualname)


def _unresolved(project: Project, mod: ModuleInfo, dec: ast.Call) -> None:
    # `@router.get("/x")` on a router the index cannot find (built by a factory, imported
    # from outside the scanned paths): say so rather than silently skip the route.
    assert isinstance(dec.func, ast.Attribute)
    first = dec.args[0] if dec.args else None
    looks_routed = (
        dec.func.attr in ROUTE_DECORATORS
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.startswith("/")
        and any(t.split(".")[0] == "fastapi" for t in mod.imports.values())
    )
    if looks_routed:
        name = ast.unparse(dec.func.value)
        project.unknown_shapes.append(
            (mod.path, dec.lineno, f"route on unresolved router `{name}`: not analysed")
        )


def _add_route(
    project: Project,
    mod: ModuleInfo,
    fn: FunctionInfo,
    *,
    router: str,
    call: ast.Call,
    methods: tuple[str, ...],
    path_expr: ast.expr | None,
) -> None:
    if isinstance(path_expr, ast.Constant) and isinstance(path_expr.value, str):
        path = path_expr.value
    else:  # a computed path: the route is kept, its label is only the function's
        path = ""
        project.unknown_shapes.append((mod.path, call.lineno, "route path is not a string literal"))
    deps = level_deps(project, mod, kw(call, "dependencies"), "route")
    project.routes.append(
        Route(
            methods,
            path,
            router,
            fn.qualname,
            [],
            deps,
            fn.node.lineno,
            fn.path,
            declared=call,
        )
    )


def _finish(project: Project, route: Route, incoming: dict[str, list[Include]]) -> None:
    fn = project.functions[route.function]
    mounts = _mounts(project, route.router, frozenset(), incoming) if route.router else [("", [])]
    route.full_paths = sorted({_join(prefix, route.path) for prefix, _ in mounts}) or [route.path]
    route.params = params_of(project, fn, route.path)
    mounted = [d for _, found in mounts for d in found]
    param_deps = [p.dependency for p in [*route.params, *class_params(project, fn)]]
    route.all_dependencies = [*mounted, *route.dependencies, *(d for d in param_deps if d)]
    route.privileged = project.behaviour.privileged(route)
    found = [d for d in route.all_dependencies if is_auth(project, d)]
    # a dependency the index resolved is better evidence than a name alone
    auth = next((d for d in found if d.level != ASSUMED), found[0] if found else None)
    if auth is not None and auth.level == ASSUMED:
        route.authenticated = True
        route.auth_evidence = f"principal `{auth.name}` ({ASSUMED_EVIDENCE}: {auth.target})"
    elif auth is not None:
        route.authenticated, route.auth_evidence = True, f"{auth.level} dependency {auth.name}"
    elif any(m.is_auth for m in project.middlewares):
        route.authenticated, route.auth_evidence = True, "authentication middleware"
    elif project.behaviour.endpoint_verifies(route):
        route.authenticated, route.auth_evidence = True, "the endpoint checks the credential"


def _mounts(
    project: Project, router: str, below: frozenset[str], incoming: dict[str, list[Include]]
) -> list[tuple[str, list[Dependency]]]:
    """Every (prefix, dependencies) a router is mounted with, through any number of
    include_router levels; `below` (the routers on the way down) stops an include cycle."""
    r = project.routers[router]
    parents = [inc for inc in incoming.get(router, []) if inc.parent not in below]
    if not parents:
        return [(r.prefix, list(r.dependencies))]
    out: list[tuple[str, list[Dependency]]] = []
    for inc in parents:
        for prefix, deps in _mounts(project, inc.parent, below | {router}, incoming):
            inherited = [] if inc.mounted else deps  # FastAPI's dependencies are per app
            out.append(
                (
                    _join(_join(prefix, inc.prefix), r.prefix),
                    [*inherited, *inc.dependencies, *r.dependencies],
                )
            )
    return out


def _join(a: str, b: str) -> str:
    if not b:
        return a or "/"
    return (a.rstrip("/") + "/" + b.lstrip("/")) if a else b


def params_of(project: Project, fn: FunctionInfo, path: str) -> list[RouteParam]:
    """Where FastAPI takes each parameter of an endpoint or dependency from."""
    mod = project.module_of(fn)
    in_path = set(PATH_PARAM.findall(path))
    out: list[RouteParam] = []
    for arg in fn.params:
        if arg.arg in ("self", "cls"):
            continue
        out.append(_param(project, mod, fn, arg, in_path))
    return out


def _param(
    project: Project, mod: ModuleInfo, fn: FunctionInfo, arg: ast.arg, in_path: set[str]
) -> RouteParam:
    default = _enclosing_value(project, mod, fn, fn.default_of(arg.arg))
    found = depends_of(project, mod, default) or depends_of(project, mod, arg.annotation)
    if found is not None:
        dep = dependency(project, found[1], found[0], "param")
        if dep.target is None and arg.annotation is not None:
            dep = annotated(project, mod, arg.annotation, dep)  # `x: Cls = Depends()`
        # the caller, or a credential (API key) the function itself checks: the caller's id
        principal = is_auth(project, dep) or project.behaviour.checks_scheme(fn, dep)
        source = ParamSource.PRINCIPAL if principal else ParamSource.DEPENDENCY
        return RouteParam(arg.arg, source, dependency=dep)
    assumed = assumed_principal(project, mod, arg.annotation)
    if assumed is not None:
        return RouteParam(arg.arg, ParamSource.PRINCIPAL, dependency=assumed)
    marker = _marker(default, mod) or _marker(_annotated_extra(arg.annotation), mod)
    ann = arg.annotation
    ann_name = (dotted(ann, mod) or "").rsplit(".", 1)[-1] if ann is not None else ""
    if ann_name in ("Request", "HTTPConnection", "WebSocket"):
        return RouteParam(arg.arg, ParamSource.REQUEST)
    model = _model(project, mod, ann)
    if marker is not None:
        return RouteParam(arg.arg, marker, model=model)
    if arg.arg in in_path:
        return RouteParam(arg.arg, ParamSource.PATH)
    if model is not None:
        return RouteParam(arg.arg, ParamSource.BODY, model=model)
    return RouteParam(arg.arg, ParamSource.QUERY)


def class_params(project: Project, fn: FunctionInfo) -> list[RouteParam]:
    """The dependencies a class-based view declares for every endpoint method of it
    (fastapi-utils / fastapi-restful `@cbv`: `user: User = Depends(current_user)` in the
    class body, reached as `self.user`): only such a library makes a method an endpoint."""
    if fn.class_name is None:
        return []
    out: list[RouteParam] = []
    for cls in project.mro(f"{fn.module}:{fn.class_name}"):
        mod = project.modules[cls.module]
        for stmt in cls.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            found = depends_of(project, mod, stmt.value) or depends_of(
                project, mod, stmt.annotation
            )
            if found is not None:
                dep = dependency(project, found[1], found[0], "class")
                source = ParamSource.PRINCIPAL if is_auth(project, dep) else ParamSource.DEPENDENCY
                out.append(RouteParam(stmt.target.id, source, dependency=dep))
    return out


def _enclosing_value(
    project: Project, mod: ModuleInfo, fn: FunctionInfo, expr: ast.expr | None
) -> ast.expr | None:
    """A router factory's endpoint naming a local of the factory as a default
    (`writer = Security(verify, ...)`, then `claims: dict = writer`): that local's value."""
    outer, dot, _ = fn.qualname.partition(":")[2].partition(".")
    host = mod.functions.get(outer) if dot and fn.class_name is None else None
    if host is None or not isinstance(expr, ast.Name):
        return expr
    values = project.locals_of(Frame(host, mod)).assigns.get(expr.id, [])
    return values[0] if len(values) == 1 else expr


def assumed_auth(route: Route) -> bool:
    """Whether the route's authentication is known only by a name (lower confidence)."""
    return route.authenticated and ASSUMED_EVIDENCE in (route.auth_evidence or "")


def _annotated_extra(ann: ast.expr | None) -> ast.expr | None:
    if (
        isinstance(ann, ast.Subscript)
        and isinstance(ann.slice, ast.Tuple)
        and len(ann.slice.elts) > 1
    ):
        return ann.slice.elts[1]
    return None


def _marker(expr: ast.expr | None, mod: ModuleInfo) -> ParamSource | None:
    if isinstance(expr, ast.Call):
        return PARAM_MARKERS.get((dotted(expr.func, mod) or "").rsplit(".", 1)[-1])
    return None


def _model(project: Project, mod: ModuleInfo, ann: ast.expr | None) -> str | None:
    if ann is None:
        return None
    if isinstance(ann, ast.Subscript):  # Annotated[Model, Body()], list[Model], Optional[Model]
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _model(project, mod, inner)
    if isinstance(ann, ast.BinOp):
        return _model(project, mod, ann.left)
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model:
        return sym.qualname
    return None


def _methods(expr: ast.expr | None) -> tuple[str, ...]:
    if isinstance(expr, ast.List | ast.Tuple | ast.Set):
        return tuple(
            e.value.upper()
            for e in expr.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return ()
