"""Exception text returned to the client.

## What it does
Reports the statement that sends an exception's text to the client: `raise
HTTPException(detail=str(e))`, `detail=e.response`, f-strings, `%`/`format` with the
exception, `JSONResponse(content={"error": repr(e)})`, `traceback.format_exc()`, a route
returning `{"error": str(e)}`, helper factories that build such a response from the
exception they are given (`raise http_error(e)`), and exception handlers
(`@app.exception_handler(Exception)`) that return `str(exc)`. Exceptions the project defines
itself (their text is the app's own message), `HTTPException` and validation errors are not
reported, nor responses mapped to fixed text (`detail="conflict"` after checking
`e.response["Error"]["Code"]`).

## Why is this bad?
A botocore `ClientError` says which table, index, key schema and condition failed
(`ConditionalCheckFailedException`, `Requested resource not found: Table: prod-orders`,
`ValidationException: One or more parameter values were invalid: Missing the key owner_id in
the item`). Returned to the client it maps the data model, tells an attacker which guesses
hit an existing item, and can echo other users' values (OWASP API8:2023, CWE-209).

## Example
```python
try:
    table.update_item(...)
except ClientError as e:
    raise HTTPException(status_code=500, detail=str(e))
```

## Use instead
```python
except ClientError as e:
    if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
        raise HTTPException(status_code=409, detail="conflict") from e
    log.exception("update failed")
    raise HTTPException(status_code=500, detail="internal error") from e
```
With the guard library: `install_error_handlers(app)` maps guard and AWS errors to fixed
texts with a correlation id, and logs the details server-side.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/
- https://cwe.mitre.org/data/definitions/209.html
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, register
from dynaguard.scan.calls import reachable_routes
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo
from dynaguard.scan.report import meta
from dynaguard.scan.walk import children, own_statements, walk
from dynaguard.scan.walk import own_nodes as _own_nodes

RESPONSES = frozenset(
    {
        "HTTPException",
        "StarletteHTTPException",
        "WebSocketException",
        "JSONResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "PlainTextResponse",
        "HTMLResponse",
        "Response",
    }
)
# Exceptions whose text the app itself chose, or FastAPI's own validation report.
SAFE_EXCEPTIONS = frozenset(
    {"HTTPException", "RequestValidationError", "ValidationError", "WebSocketException"}
)
SAFE_ATTRS = frozenset({"detail", "status_code", "headers", "errors", "__class__", "__name__"})
TRACEBACK = frozenset({"format_exc", "format_exception", "print_exc", "exc_info", "format_tb"})
BROAD = frozenset({"Exception", "BaseException"})
MAX_HELPER = 2
WEB_LIBS = frozenset({"fastapi", "starlette"})
STRINGIFY = frozenset(
    {"str", "repr", "format", "join", "dict", "list", "tuple", "jsonable_encoder", "dumps"}
)
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


@register(
    id="DG112",
    name="error-detail-leak",
    title="Exception text returned to the client",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-209",
    owasp_api="API8:2023",
    fix="Map the error to fixed text (409 for ConditionalCheckFailedException, 404, a generic "
    "500 with a correlation id) and log the details; the guard library's "
    "install_error_handlers(app) does this.",
)
def check(project: Project) -> Iterator[Finding]:
    """Responses built from an exception's text, in except blocks and exception handlers."""
    m = meta("DG112")
    handlers = {h.function: h for h in project.exception_handlers}
    seen: set[int] = set()
    for fn in _candidates(project):
        frame = Frame(fn, project.module_of(fn))
        is_route = project.route_of(fn) is not None
        for exc_type, names, body in _handlers(fn):
            level = _level(project, frame, exc_type)
            if level is None:
                continue
            for leak in _leaks(project, frame, body, names, route=is_route):
                if id(leak.stmt) in seen:
                    continue  # nested handlers: one finding per statement
                seen.add(id(leak.stmt))
                what = _type_text(exc_type)
                yield _finding(m, project, fn, leak, sev=level, what=what)
        handler = handlers.get(fn.qualname)
        params = [a.arg for a in fn.params]
        if handler is not None and len(params) >= 2:
            level = _handler_level(project, frame, handler.exception)
            if level is not None:
                for leak in _leaks(project, frame, fn.node.body, {params[1]}, route=True):
                    yield _finding(m, project, fn, leak, sev=level, what=handler.exception)


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


def _finding(
    m: RuleMeta, project: Project, fn: FunctionInfo, leak: Leak, *, sev: Severity, what: str
) -> Finding:
    route = project.route_of(fn) or next(iter(reachable_routes(project, fn)), None)
    evidence: dict[str, JSON] = {"function": fn.qualname, "exception": what}
    if leak.helper is not None:
        evidence["helper"] = f"{leak.helper.path}:{leak.helper.node.lineno} {leak.helper.name}"
    how = f" (built by {leak.helper.name})" if leak.helper else ""
    return m.finding(
        message=f"the text of the caught exception ({what}) is sent to the client{how}"
        + (": botocore errors name tables, keys and conditions" if sev is Severity.MEDIUM else ""),
        anchor=f"{fn.qualname}:{ast.unparse(leak.stmt)[:80]}",
        path=fn.path,
        line=leak.stmt.lineno,
        column=leak.stmt.col_offset + 1,
        end_line=leak.stmt.end_lineno,
        route=route.label if route else None,
        evidence=evidence,
        severity=sev,
        confidence=Confidence.HIGH if sev is Severity.MEDIUM else Confidence.MEDIUM,
    )


def _type_text(exc_type: ast.expr | None) -> str:
    if exc_type is None:
        return "a bare except"
    elts = exc_type.elts if isinstance(exc_type, ast.Tuple) else [exc_type]
    return ", ".join(ast.unparse(e) for e in elts)


def _handler_level(project: Project, frame: Frame, exception: str) -> Severity | None:
    if isinstance(project.resolve_dotted(exception, frame.module.name), ClassRef):
        return None  # a project exception: its text is the app's own message
    last = exception.rpartition(".")[2]
    return _level(project, frame, ast.Name(id=last) if last.isidentifier() else None)


def _level(project: Project, frame: Frame, exc_type: ast.expr | None) -> Severity | None:
    """Severity for the caught type; None when its text is the app's own."""
    if exc_type is None:
        return Severity.MEDIUM  # bare except: only traceback text can leak, and it is broad
    types = exc_type.elts if isinstance(exc_type, ast.Tuple) else [exc_type]
    levels: list[Severity] = []
    for t in types:
        name = ast.unparse(t).rpartition(".")[2]
        sym = (
            project.resolve_expr(t, frame.module)
            if isinstance(t, ast.Name | ast.Attribute)
            else None
        )
        if name in SAFE_EXCEPTIONS or isinstance(sym, ClassRef):
            continue
        narrow = hasattr(builtins, name) and name not in BROAD
        levels.append(Severity.LOW if narrow else Severity.MEDIUM)
    return max(levels) if levels else None


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
    depth: int = 0,
) -> Iterator[Leak]:
    tainted = Taint(set(names))
    for _ in range(2):  # text helpers and locals built with them feed each other
        _taint(body, tainted)
        tainted.through |= _formatters(project, frame, body, tainted)
    for stmt in body:
        for node in [stmt, *_own_nodes(stmt)]:
            if isinstance(node, ast.Raise) and node.exc is not None:
                found = _response(project, frame, node.exc, tainted, depth)
            elif isinstance(node, ast.Return) and node.value is not None:
                found = _response(project, frame, node.value, tainted, depth)
                if found is None and route and _mentions(node.value, tainted):
                    found = Leak(node)  # a route returning {"error": str(e)} with a 200
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                found = _helper(project, frame, node.value, tainted, depth)
            else:
                continue
            if found is not None:
                yield Leak(node, found.helper) if found.stmt is not node else found


def _taint(body: list[ast.stmt], taint: Taint) -> None:
    """Add the locals assigned from text built with the exception (two passes)."""
    for _ in range(2):
        for stmt in body:
            for node in [stmt, *_own_nodes(stmt)]:
                if isinstance(node, ast.Assign) and _mentions(node.value, taint):
                    taint.names |= {t.id for t in node.targets if isinstance(t, ast.Name)}


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


def _response(
    project: Project, frame: Frame, expr: ast.expr, tainted: Taint, depth: int
) -> Leak | None:
    if not isinstance(expr, ast.Call):
        return None
    name = ast.unparse(expr.func).rpartition(".")[2]
    if name in RESPONSES:
        parts = [*expr.args, *(k.value for k in expr.keywords if k.arg != "status_code")]
        return Leak(ast.Expr(expr)) if any(_mentions(p, tainted) for p in parts) else None
    return _helper(project, frame, expr, tainted, depth)


def _helper(
    project: Project, frame: Frame, call: ast.Call, tainted: Taint, depth: int
) -> Leak | None:
    """A project function that builds (returns or raises) a leaking response from its args."""
    if depth >= MAX_HELPER:
        return None
    target = project.resolve_call_target(call, frame, project.types)
    if not isinstance(target, FunctionInfo):
        return None
    passed = _passed(target, call, tainted)
    if not passed:
        return None
    inner = frame.enter(target, call, project.module_of(target))
    for _ in _leaks(project, inner, target.node.body, passed, route=False, depth=depth + 1):
        return Leak(ast.Expr(call), target)
    return None


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
