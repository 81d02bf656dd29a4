"""Exception text that reaches the client: the leaks DG112 reports.

A leak is a statement that sends an exception's text in a response: `raise
HTTPException(detail=str(e))`, a route returning `{"error": str(e)}`, a helper factory that
builds such a response from the exception it is given, an `@app.exception_handler` that
returns `str(exc)`. The exceptions whose text may leak are the foreign ones (botocore's
`ClientError`, builtins) and, found by a fixpoint, the project's own exception classes that
some code raises with such text in them (`raise StoreError(f"write failed: {exc}")`):
catching a `StoreError` later and sending `str(err)` leaks the wrapped botocore text.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

from dynaguard.core.findings import Severity
from dynaguard.scan.fixpoint import Lattice
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, FunctionInfo, Route
from dynaguard.scan.queries.route_classes import route_class_handlers
from dynaguard.scan.reach import reachable_routes
from dynaguard.scan.walk import children, own_statements, walk
from dynaguard.scan.walk import own_nodes as _own_nodes

__all__ = ["ErrorLeak", "error_leaks"]

HTTP_ERRORS = frozenset({"HTTPException", "StarletteHTTPException", "WebSocketException"})
BODIES = frozenset({"JSONResponse", "ORJSONResponse", "UJSONResponse", "PlainTextResponse"})
RESPONSES = HTTP_ERRORS | BODIES | {"HTMLResponse", "Response"}
# Exceptions whose text the app itself chose, or FastAPI's own validation report.
SAFE_EXCEPTIONS = frozenset(
    {"HTTPException", "RequestValidationError", "ValidationError", "WebSocketException"}
)
SAFE_ATTRS = frozenset({"detail", "status_code", "headers", "errors", "__class__", "__name__"})
TRACEBACK = frozenset({"format_exc", "format_exception", "print_exc", "exc_info", "format_tb"})
BROAD = frozenset({"Exception", "BaseException"})
WEB_LIBS = frozenset({"fastapi", "starlette"})
STRINGIFY = frozenset(
    {"str", "repr", "format", "join", "dict", "list", "tuple", "jsonable_encoder", "dumps"}
)
HELPER: Lattice[bool] = Lattice(bottom=False, cut=lambda: False)  # does a helper leak
TESTS = frozenset({"type", "isinstance", "issubclass", "id", "bool", "len", "hasattr", "getattr"})


@dataclass(frozen=True, slots=True)
class Leak:
    """A statement that sends exception text, and how."""

    stmt: ast.stmt
    helper: FunctionInfo | None = None


@dataclass(slots=True)
class Taint:
    """Names holding the exception (or text built from it), and calls that pass text through."""

    names: set[str]
    through: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ErrorLeak:
    """A statement that sends an exception's text to the client."""

    path: str
    line: int
    column: int
    end_line: int
    function: str  # qualname of the function the statement is in
    statement: str  # the statement's source, cut short (a line-free fingerprint anchor)
    exception: str  # the caught type(s) as written, or "a bare except"
    severity: Severity  # MEDIUM for broad or foreign errors, LOW for a narrow builtin one
    route: Route | None  # the route that answers with it (first reaching one)
    helper: str | None = None  # "path:line name" of a helper that builds the response
    wrapped: str | None = None  # "path:line" where a project exception took foreign text


def error_leaks(project: Project) -> list[ErrorLeak]:
    """Every statement that sends exception text: except blocks and exception handlers."""
    carried = carriers(project)
    handlers = {h.function: h for h in project.exception_handlers}
    seen: set[int] = set()
    out: list[ErrorLeak] = []
    answering = route_class_handlers(project)  # a route class's handler answers requests too
    for fn in [*_candidates(project), *answering]:
        frame = Frame(fn, project.module_of(fn))
        is_route = project.route_of(fn) is not None or fn in answering
        for exc_type, names, body in _handlers(fn):
            level = _level(project, frame, exc_type, carried)
            if level is None:
                continue
            for leak in _leaks(project, frame, body, names, route=is_route):
                if id(leak.stmt) in seen:
                    continue  # nested handlers: one finding per statement
                seen.add(id(leak.stmt))
                out.append(_record(project, fn, leak, level, _type_text(exc_type)))
        handler = handlers.get(fn.qualname)
        params = [a.arg for a in fn.params]
        if handler is not None and len(params) >= 2:
            hlevel = _handler_level(project, frame, handler.exception, carried)
            if hlevel is not None:
                for leak in _leaks(project, frame, fn.node.body, {params[1]}, route=True):
                    out.append(_record(project, fn, leak, hlevel, handler.exception))
    return out


# a project exception class -> (severity of the foreign text it carries, where it took it)
Carried = dict[str, tuple[Severity, str]]
Level = tuple[Severity, str | None]  # how bad the caught text is, and where it was wrapped


def carriers(project: Project) -> Carried:
    """Project exception classes raised with foreign exception text in them, to a fixpoint:
    `except ClientError as e: raise StoreError(f"... {e}")`, then `except StoreError as s:
    raise ApiError(str(s))` makes ApiError a carrier too."""
    out: Carried = {}
    fns = sorted(project.functions.values(), key=lambda f: f.qualname)
    # each function's except clauses, found once for every round of the fixpoint
    caught = [(fn, found) for fn in fns if (found := list(_handlers(fn)))]
    changed = True
    while changed:
        changed = False
        for fn, found in caught:
            frame = Frame(fn, project.module_of(fn))
            for exc_type, names, body in found:
                level = _level(project, frame, exc_type, out)
                if level is None or not names:
                    continue
                taint = Taint(set(names))
                _taint(body, taint)
                for cls, line in _raised_with(project, frame, body, taint):
                    if cls not in out or out[cls][0] < level[0]:
                        out[cls] = (level[0], f"{fn.path}:{line}")
                        changed = True
    return out


def _raised_with(
    project: Project, frame: Frame, body: list[ast.stmt], taint: Taint
) -> Iterator[tuple[str, int]]:
    """Project classes a handler body raises with the caught text in their arguments."""
    for stmt in body:
        for node in [stmt, *_own_nodes(stmt)]:
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            target = project.resolve_call_target(node.exc, frame, project.types)
            args = [*node.exc.args, *(k.value for k in node.exc.keywords)]
            if isinstance(target, ClassRef) and any(_mentions(a, taint) for a in args):
                yield target.qualname, node.lineno


def _carried(project: Project, qual: str, carried: Carried) -> Level | None:
    """What a caught project class carries: its own text, or a subclass's."""
    hits = [v for c, v in carried.items() if any(k.qualname == qual for k in project.mro(c))]
    return max(hits, key=lambda v: v[0].rank) if hits else None


def _record(project: Project, fn: FunctionInfo, leak: Leak, level: Level, what: str) -> ErrorLeak:
    route = project.route_of(fn) or next(iter(reachable_routes(project, fn)), None)
    stmt = leak.stmt
    helper = leak.helper
    return ErrorLeak(
        path=fn.path,
        line=stmt.lineno,
        column=stmt.col_offset + 1,
        end_line=stmt.end_lineno or stmt.lineno,
        function=fn.qualname,
        statement=ast.unparse(stmt)[:80],
        exception=what,
        severity=level[0],
        route=route,
        helper=f"{helper.path}:{helper.node.lineno} {helper.name}" if helper else None,
        wrapped=level[1],
    )


def _candidates(project: Project) -> list[FunctionInfo]:
    """Functions that can answer a request: web modules, and what routes reach."""
    web = {
        name
        for name, mod in project.modules.items()
        if any(t.split(".")[0] in WEB_LIBS for t in mod.imports.values())
    }
    todo = [r.function for r in project.routes]
    todo += [d.target for r in project.routes for d in r.all_dependencies if d.target]
    todo += [h.function for h in project.exception_handlers]
    reached: set[str] = set()
    while todo:
        q = todo.pop()
        if q in reached or q not in project.functions:
            continue
        reached.add(q)
        todo += [cs.callee for cs in project.callsites.get(q, [])]
    return [f for f in project.functions.values() if f.module in web or f.qualname in reached]


def _type_text(exc_type: ast.expr | None) -> str:
    if exc_type is None:
        return "a bare except"
    elts = exc_type.elts if isinstance(exc_type, ast.Tuple) else [exc_type]
    return ", ".join(ast.unparse(e) for e in elts)


def _handler_level(
    project: Project, frame: Frame, exception: str, carried: Carried
) -> Level | None:
    sym = project.resolve_dotted(exception, frame.module.name)
    if isinstance(sym, ClassRef):  # a project exception: its own text, unless it carries some
        return _carried(project, sym.qualname, carried)
    last = exception.rpartition(".")[2]
    return _level(project, frame, ast.Name(id=last) if last.isidentifier() else None, carried)


def _level(
    project: Project, frame: Frame, exc_type: ast.expr | None, carried: Carried
) -> Level | None:
    """Severity for the caught type; None when its text is the app's own."""
    if exc_type is None:
        return Severity.MEDIUM, None  # bare except: only traceback text can leak, and it is broad
    types = exc_type.elts if isinstance(exc_type, ast.Tuple) else [exc_type]
    levels: list[Level] = []
    for t in types:
        name = ast.unparse(t).rpartition(".")[2]
        sym = (
            project.resolve_expr(t, frame.module)
            if isinstance(t, ast.Name | ast.Attribute)
            else None
        )
        if isinstance(sym, ClassRef):  # a project exception: its own text unless it carries some
            found = _carried(project, sym.qualname, carried)
            levels += [found] if found is not None else []
        elif name not in SAFE_EXCEPTIONS:
            narrow = hasattr(builtins, name) and name not in BROAD
            levels.append((Severity.LOW if narrow else Severity.MEDIUM, None))
    return max(levels, key=lambda v: v[0].rank) if levels else None


def _handlers(fn: FunctionInfo) -> Iterator[tuple[ast.expr | None, set[str], list[ast.stmt]]]:
    for node in own_statements(fn.node):  # handlers sit only under statements
        if isinstance(node, ast.ExceptHandler):
            yield node.type, ({node.name} if node.name else set()), node.body


def _leaks(
    project: Project,
    frame: Frame,
    body: list[ast.stmt],
    names: set[str],
    *,
    route: bool,
) -> Iterator[Leak]:
    tainted = Taint(set(names))
    while True:  # text helpers and locals built with them feed each other: to a fixpoint
        size = (len(tainted.names), len(tainted.through))
        _taint(body, tainted)
        tainted.through |= _formatters(project, frame, body, tainted)
        if (len(tainted.names), len(tainted.through)) == size:
            break  # both only grow, bounded by the body's names and calls
    for stmt in body:
        for node in [stmt, *_own_nodes(stmt)]:
            if isinstance(node, ast.Raise) and node.exc is not None:
                found = _response(project, frame, node.exc, tainted)
            elif isinstance(node, ast.Return) and node.value is not None:
                found = _response(project, frame, node.value, tainted)
                if found is None and route and _mentions(node.value, tainted):
                    found = Leak(node)  # a route returning {"error": str(e)} with a 200
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                found = _helper(project, frame, node.value, tainted)
            else:
                continue
            if found is not None:
                yield Leak(node, found.helper) if found.stmt is not node else found


def _taint(body: list[ast.stmt], taint: Taint) -> None:
    """Add the locals assigned from text built with the exception, to a fixpoint (`b = a`
    before `a = str(e)` in a loop body needs a second pass; each pass only adds names)."""
    while True:
        size = len(taint.names)
        for stmt in body:
            for node in [stmt, *_own_nodes(stmt)]:
                if isinstance(node, ast.Assign) and _mentions(node.value, taint):
                    taint.names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if len(taint.names) == size:
            return


def _formatters(project: Project, frame: Frame, body: list[ast.stmt], taint: Taint) -> set[int]:
    """Calls of project functions that return text built from the exception they are given."""
    out: set[int] = set()
    for stmt in body:
        for node in [stmt, *_own_nodes(stmt)]:
            if not isinstance(node, ast.Call) or id(node) in taint.through:
                continue
            target = project.resolve_call_target(node, frame, project.types)
            passed = _passed(target, node, taint) if isinstance(target, FunctionInfo) else set()
            if isinstance(target, FunctionInfo) and passed:
                inner = frame.enter(target, node, project.module_of(target))
                returns = project.locals_of(inner).returns
                local = Taint(passed)
                _taint(target.node.body, local)
                if any(_mentions(r, local) for r in returns):
                    out.add(id(node))
    return out


def _passed(target: FunctionInfo, call: ast.Call, taint: Taint) -> set[str]:
    """The target's parameters that receive the exception's text."""
    params = [a.arg for a in target.params if a.arg not in ("self", "cls")]
    passed = {params[i] for i, a in enumerate(call.args[: len(params)]) if _mentions(a, taint)}
    return passed | {k.arg for k in call.keywords if k.arg and _mentions(k.value, taint)}


def _response(project: Project, frame: Frame, expr: ast.expr, tainted: Taint) -> Leak | None:
    if not isinstance(expr, ast.Call):
        return None
    name = ast.unparse(expr.func).rpartition(".")[2]
    if name in RESPONSES:
        parts = [*expr.args, *(k.value for k in expr.keywords if k.arg != "status_code")]
        return Leak(ast.Expr(expr)) if any(_mentions(p, tainted) for p in parts) else None
    return _helper(project, frame, expr, tainted)


def _helper(project: Project, frame: Frame, call: ast.Call, tainted: Taint) -> Leak | None:
    """A project function that builds (returns or raises) a leaking response from its args,
    through any number of helpers: one question per (helper, parameters given the text),
    answered by the project's solver, so recursion settles and diamonds are asked once."""
    target = project.resolve_call_target(call, frame, project.types)
    if not isinstance(target, FunctionInfo):
        return None
    passed = _passed(target, call, tainted)
    if not passed:
        return None
    inner = frame.enter(target, call, project.module_of(target))

    def leaks() -> bool:
        return any(True for _ in _leaks(project, inner, target.node.body, passed, route=False))

    key = ("leaks", target.qualname, frozenset(passed))
    return Leak(ast.Expr(call), target) if project.solver.solve(key, leaks, HELPER) else None


def _mentions(expr: ast.expr, tainted: Taint) -> bool:
    """Whether an expression carries the exception's text (not only its safe attributes)."""
    parents: dict[int, ast.AST] = {}
    nodes = walk(expr)
    for node in nodes:
        for child in children(node):
            parents[id(child)] = node
        if isinstance(node, ast.Call):
            f = node.func
            last = (
                f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            )
            if last in TRACEBACK:
                return True
    for node in nodes:
        if (
            isinstance(node, ast.Name)
            and node.id in tainted.names
            and _leaky_use(node, parents, tainted)
        ):
            return True
    return False


def _leaky_use(node: ast.Name, parents: dict[int, ast.AST], taint: Taint) -> bool:
    """False when the name only feeds a safe attribute, a test, or an opaque function."""
    child: ast.AST = node
    parent = parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.Attribute) and parent.attr in SAFE_ATTRS:
            return False
        if isinstance(parent, ast.Compare) or (
            isinstance(parent, ast.IfExp) and child is parent.test
        ):
            return False
        if (
            isinstance(parent, ast.Call)
            and child is not parent.func
            and not (_passes_text(parent) or id(parent) in taint.through)
        ):
            return False
        child, parent = parent, parents.get(id(parent))
    return True


def _passes_text(call: ast.Call) -> bool:
    """Whether a call's result carries its arguments' text (str, format, a constructor)."""
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    if name in TESTS:
        return False
    # str()/repr()/"...".format()/dict(); Capitalised: a model or response built from it.
    # Any other function is opaque: what it returns for the exception is its own business.
    return name in STRINGIFY or name[:1].isupper()
