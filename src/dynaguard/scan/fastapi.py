"""FastAPI facts: apps, routers, includes, routes, parameters, dependencies and auth."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.authn_operators import operators_only
from dynaguard.scan.deps import (
    ASSUMED,
    is_auth,
    kw,
    kw_text,
    privileged,
)
from dynaguard.scan.deps import deps as level_deps
from dynaguard.scan.exempt import exempted
from dynaguard.scan.factories import specialize
from dynaguard.scan.frames import Frame
from dynaguard.scan.gateway_auth import gateway_guard
from dynaguard.scan.model import (
    ClassRef,
    Dependency,
    ExceptionHandler,
    FunctionInfo,
    Include,
    Middleware,
    Route,
)
from dynaguard.scan.params import class_params, params_of
from dynaguard.scan.routers import (
    chain,
    factory_call,
    find_routers,
    included_routers,
    router_of,
    scope_of,
    view_route,
    view_router,
)
from dynaguard.scan.starlette_auth import backend_middleware, gate
from dynaguard.scan.symbols import ROUTE_DECORATORS, ModuleInfo, dotted

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project, Symbol

# is_auth and privileged live in deps.py; rules import them from here too
__all__ = ["assumed_auth", "collect", "is_auth", "privileged", "router_of"]

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
    specialize(project)  # a router factory's routes, once per call
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
        made = factory_call(project, call.args[0], mod, scope)
        for child in included_routers(project, call, mod, scope):
            project.includes.append(
                Include(
                    parent,
                    child,
                    kw_text(call, "prefix") or "",
                    level_deps(project, mod, kw(call, "dependencies"), "include"),
                    made=made,
                    made_in=(mod.name, scope),
                )
            )
    elif attr == "mount" and len(call.args) >= 2:  # app.mount("/v1", sub_app)
        sub = router_of(project, call.args[1], mod, scope)
        where = call.args[0]
        if sub is not None and isinstance(where, ast.Constant) and isinstance(where.value, str):
            project.includes.append(Include(parent, sub, where.value, [], mounted=True))
    elif attr == "add_api_route" and len(call.args) >= 2:
        # `self.create` of a view class, else whatever the argument names
        sym = view_route(project, mod, call) or _endpoint(project, mod, call.args[1], scope)
        if isinstance(sym, FunctionInfo):
            methods = _methods(kw(call, "methods")) or ("GET",)
            _add_route(
                project, mod, sym, router=parent, call=call, methods=methods, path_expr=call.args[0]
            )
    elif attr == "add_middleware":
        backend = backend_middleware(project, mod, call, parent)
        if backend is not None:
            project.middlewares.append(backend)
            return
        sym = project.resolve_expr(call.args[0], mod)
        if isinstance(sym, ClassRef):
            cls = project.classes[sym.qualname]
            dispatch = cls.methods.get("dispatch") or cls.methods.get("__call__")
            if dispatch:
                project.middlewares.append(
                    Middleware(dispatch, parent, _verifies(project, dispatch))
                )


def _endpoint(project: Project, mod: ModuleInfo, expr: ast.expr, scope: str) -> Symbol:
    """What `add_api_route(path, expr)` registers: a router factory's nested function
    (`def crud_router(): def get_item(...): ...; router.add_api_route("/", get_item)`),
    else whatever the name means in the module."""
    if isinstance(expr, ast.Name) and scope and f"{scope}{expr.id}" in mod.functions:
        return mod.functions[f"{scope}{expr.id}"]
    return project.resolve_expr(expr, mod)


def _decorator(project: Project, mod: ModuleInfo, fn: FunctionInfo, dec: ast.expr) -> None:
    if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
        return
    attr = dec.func.attr
    router = router_of(project, dec.func.value, mod, scope_of(project, mod, fn.node))
    if router is None and attr == "exception_handler" and dec.args and fn.class_name is None:
        # `def install_handlers(app): @app.exception_handler(E)`: which app is unknown, but
        # the handler answers some app's requests all the same
        exc = dotted(dec.args[0], mod) or ast.unparse(dec.args[0])
        project.exception_handlers.append(ExceptionHandler(fn.qualname, exc, dec.lineno))
        return
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
    return project.behaviour.middleware_rejects(qualname)


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
    route.params = params_of(project, fn, " ".join(route.full_paths))  # prefixes' `{id}` too
    mounted = [d for _, found in mounts for d in found]
    param_deps = [p.dependency for p in [*route.params, *class_params(project, fn)]]
    route.all_dependencies = [*mounted, *route.dependencies, *(d for d in param_deps if d)]
    route.privileged = project.behaviour.privileged(route)
    apps = chain(route.router, lambda r: [i.parent for i in incoming.get(r, [])])
    covering = [
        m
        for m in project.middlewares
        if m.is_auth
        and (m.app is None or m.app in apps)
        and not exempted(project, m.function, route.full_paths)
    ]
    keyed = next((m for m in covering if operators_only(project, m.function)), None)
    route.privileged = route.privileged or (keyed.function if keyed else None)  # key holders
    found = [d for d in route.all_dependencies if is_auth(project, d)]
    # a dependency the index resolved is better evidence than a name alone
    auth = next((d for d in found if d.level != ASSUMED), found[0] if found else None)
    if auth is not None and auth.level == ASSUMED:
        route.authenticated = True
        route.auth_evidence = f"principal `{auth.name}` ({ASSUMED_EVIDENCE}: {auth.target})"
    elif auth is not None:
        route.authenticated, route.auth_evidence = True, f"{auth.level} dependency {auth.name}"
    elif (gated := gate(project, route, _apps(route.router, incoming, frozenset()))) is not None:
        route.authenticated, route.auth_evidence = True, gated[0]
        route.privileged = route.privileged or gated[1]
    elif covering:
        route.authenticated, route.auth_evidence = True, "authentication middleware"
    elif (guard := gateway_guard(project, route)) is not None:
        route.authenticated = True
        route.auth_evidence = f"API Gateway authorizer ({guard.file}:{guard.line})"
    elif project.behaviour.endpoint_verifies(route):
        route.authenticated, route.auth_evidence = True, "the endpoint checks the credential"


def _apps(
    router: str | None, incoming: dict[str, list[Include]], below: frozenset[str]
) -> set[str]:
    """The apps (routers nobody includes) a router is mounted on, at any depth."""
    if router is None:
        return set()
    parents = [inc.parent for inc in incoming.get(router, []) if inc.parent not in below]
    if not parents:
        return {router}
    return {a for p in parents for a in _apps(p, incoming, below | {router})}


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


def assumed_auth(route: Route) -> bool:
    """Whether the route's authentication is known only by a name (lower confidence)."""
    return route.authenticated and ASSUMED_EVIDENCE in (route.auth_evidence or "")


def _methods(expr: ast.expr | None) -> tuple[str, ...]:
    if isinstance(expr, ast.List | ast.Tuple | ast.Set):
        return tuple(
            e.value.upper()
            for e in expr.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return ()
