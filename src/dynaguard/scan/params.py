"""Where FastAPI takes each parameter of an endpoint or dependency from: the path, the
query, a header, the body (and its model), the request, or a dependency (the principal when
that dependency authenticates)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from dynaguard.scan.deps import annotated, assumed_principal, dependency, depends_of, is_auth
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo, ParamSource, RouteParam
from dynaguard.scan.symbols import ModuleInfo, dotted

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

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


def params_of(project: Project, fn: FunctionInfo, path: str) -> list[RouteParam]:
    """Where FastAPI takes each parameter of an endpoint or dependency from (`path`: the
    route's full paths, whose `{name}`s are path parameters)."""
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
        # the caller, or a credential (API key) the function itself checks: the caller's id;
        # or who a credential lookup found (None for no one: DG104 judges whether the route
        # refuses that)
        principal = (
            is_auth(project, dep)
            or project.behaviour.checks_scheme(fn, dep)
            or project.behaviour.identifies(dep)
        )
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
    if ann_name in ("Response", "BackgroundTasks", "SecurityScopes"):
        return RouteParam(arg.arg, ParamSource.OTHER)  # FastAPI's own objects, no input
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


def socket_tokens(project: Project, fn: FunctionInfo) -> frozenset[str]:
    """A WebSocket endpoint's query parameters: a browser cannot set headers on the
    handshake, so the caller's token comes in the query string (`?token=`)."""
    route = project.route_of(fn)
    if route is None or "WEBSOCKET" not in route.methods:
        return frozenset()
    return frozenset(p.name for p in route.params if p.source is ParamSource.QUERY)
