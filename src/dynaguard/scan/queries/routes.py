"""Route-level questions: how the steps of one request relate, what a failed check answers,
and whether a request value was constrained where it entered.

Rules DG109, DG113 and DG117 ask these; the answers read the linked model (the request's
flow, its frames, the parameters' declarations) so that the rules never see a syntax tree.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus

from dynaguard.scan.flow import Event
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame, annotation_of
from dynaguard.scan.model import ClassRef, FunctionInfo, HandleKind, Route
from dynaguard.scan.symbols import ModuleInfo, last_name
from dynaguard.scan.value import Origin, Source

__all__ = [
    "checks_of",
    "exclusive",
    "in_dependency",
    "in_handler",
    "missing_statuses",
    "raised_statuses",
    "unconstrained",
]

STATUS = re.compile(r"(?:HTTP_)?([1-5]\d\d)")  # status.HTTP_403_FORBIDDEN, HTTP_404
STATUS_KEYWORDS = frozenset({"status_code", "status"})
LIMITS = frozenset({"pattern", "regex", "max_length", "min_length"})
PLAIN = frozenset({"str", "Any", "Optional", "None"})
# pydantic settings that bound every str field of a model (v2 ConfigDict, v1 class Config)
STR_BOUNDS = frozenset(
    {"str_max_length", "str_min_length", "max_anystr_length", "min_anystr_length"}
)
# what PynamoDB's get raises for a missing item, and the bases that catch it
MISSING_ERRORS = frozenset({"DoesNotExist", "Exception", "BaseException"})
VALIDATORS = frozenset({"field_validator", "validator"})


# -- the steps of one request ------------------------------------------------------------


def in_dependency(ev: Event) -> bool:
    """Whether a step runs inside one of the route's dependencies (entered with no call)."""
    frame: Frame | None = ev.frame
    while frame is not None and frame.caller is not None:
        if frame.call is None:
            return True
        frame = frame.caller
    return False


def in_handler(ev: Event) -> bool:
    """Whether a step runs only when something failed: inside an `except` clause (in its
    function or in a caller on the way to it), e.g. a saga's compensating write."""
    for fn, node in _trail(ev):
        if fn is None or node is None:
            continue
        for t in ast.walk(fn.node):
            if isinstance(t, ast.Try) and _within(t.handlers, node):
                return True
    return False


def exclusive(a: Event, b: Event) -> bool:
    """Whether two steps sit on branches (if/else, try/except) that never both run."""
    for (fa, na), (fb, nb) in zip(_trail(a), _trail(b), strict=False):
        if fa is not fb or fa is None or na is None or nb is None:
            return False
        if na is not nb:  # the first function where the two paths part
            return _branches(fa.node, na, nb)
    return False


def checks_of(read: Event, steps: Iterable[Event]) -> list[Event]:
    """The checks of a request that test the item one read returned."""
    return [e for e in steps if e.kind == "check" and id(read.node) in e.reads]


def _trail(ev: Event) -> list[tuple[FunctionInfo | None, ast.AST | None]]:
    """(function, the node of it on the way to the step), outermost caller first."""
    out: list[tuple[FunctionInfo | None, ast.AST | None]] = []
    frame: Frame | None = ev.frame
    node: ast.AST | None = ev.node
    while frame is not None:
        out.insert(0, (frame.fn, node))
        node, frame = frame.call, frame.caller
    return out


def _branches(root: ast.AST, a: ast.AST, b: ast.AST) -> bool:
    for node in ast.walk(root):
        sides: list[list[ast.AST]]
        if isinstance(node, ast.If):
            sides = [[*node.body], [*node.orelse]]
        elif isinstance(node, ast.Try):
            sides = [[*node.body, *node.orelse], [*node.handlers]]
        else:
            continue
        if (_within(sides[0], a) and _within(sides[1], b)) or (
            _within(sides[0], b) and _within(sides[1], a)
        ):
            return True
        ends = isinstance(node, ast.If) and _after(node, b) and _ends(node.body)
        if ends and isinstance(node, ast.If) and _within(node.body, a):
            return True  # `if ...: write; return` then a write after the `if`
    return False


def _ends(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Return | ast.Raise)


def _after(node: ast.stmt, other: ast.AST) -> bool:
    return getattr(other, "lineno", 0) > (node.end_lineno or node.lineno)


def _within(stmts: Sequence[ast.AST], node: ast.AST) -> bool:
    return any(n is node for s in stmts for n in ast.walk(s))


# -- what a failed check answers -----------------------------------------------------------


def raised_statuses(project: Project, check: Event) -> set[int]:
    """HTTP statuses a check answers when it fails: `raise HTTPException(404)`, a status
    constant, an exception built by a helper (`raise not_found()`), an HTTPException
    subclass that sets its status, or a helper called in the branch that raises."""
    if not isinstance(check.node, ast.If):
        return set()
    return _raised(project, check.node.body, check.frame, set())


def _raised(project: Project, body: Sequence[ast.stmt], frame: Frame, seen: set[str]) -> set[int]:
    out: set[int] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise) and node.exc is not None:
                out |= _exception_status(project, node.exc, frame, seen)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
                # return JSONResponse(..., status_code=403): an answer, not raised
                kw = [k.value for k in node.value.keywords if k.arg in STATUS_KEYWORDS]
                out |= {s for a in kw if (s := _status(a)) is not None}
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                callee = project.values.target(node.value, frame)
                if isinstance(callee, FunctionInfo) and callee.qualname not in seen:
                    # `if ...: forbid()` where forbid raises
                    seen.add(callee.qualname)
                    inner = frame.enter(callee, node.value, project.module_of(callee))
                    out |= _raised(project, callee.node.body, inner, seen)
    return out


def missing_statuses(project: Project, read: Event) -> set[int]:
    """HTTP statuses answered when a read finds nothing because it raises: the except
    clauses around a PynamoDB `Model.get` (it raises DoesNotExist for a missing item)."""
    call = read.call
    if call is None or call.handle.kind is not HandleKind.PYNAMODB_MODEL:
        return set()
    if call.operation != "get_item":
        return set()
    out: set[int] = set()
    frame: Frame | None = read.frame
    node: ast.AST | None = read.node
    while frame is not None and frame.fn is not None and node is not None:
        for t in ast.walk(frame.fn.node):
            if isinstance(t, ast.Try) and _within(t.body, node):
                for handler in t.handlers:
                    if _catches_missing(handler.type):
                        out |= _raised(project, handler.body, frame, set())
        node, frame = frame.call, frame.caller
    return out


def _catches_missing(kind: ast.expr | None) -> bool:
    """`except Model.DoesNotExist`, or a handler broad enough to catch it."""
    if kind is None:
        return True
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(last_name(k) in MISSING_ERRORS for k in kinds)


def _exception_status(project: Project, exc: ast.expr, frame: Frame, seen: set[str]) -> set[int]:
    """The status an exception expression carries (its own, its class's, its builder's)."""
    call = exc if isinstance(exc, ast.Call) else None
    if call is not None:
        args = [*call.args[:1], *(k.value for k in call.keywords if k.arg in STATUS_KEYWORDS)]
        found = {s for a in args if (s := _status(a)) is not None}
        if found:
            return found
    target = project.values.target(call, frame) if call is not None else None
    if target is None and isinstance(exc, ast.Name | ast.Attribute):
        sym = project.resolve_expr(exc, frame.module)  # `raise Forbidden` (the class)
        target = sym if isinstance(sym, ClassRef) else None
    if isinstance(target, ClassRef):
        return _class_status(project, target.qualname)
    if isinstance(target, FunctionInfo) and call is not None and target.qualname not in seen:
        seen.add(target.qualname)  # `raise not_found()`: what the builder returns
        inner = frame.enter(target, call, project.module_of(target))
        returns = project.locals_of(inner).returns
        return {s for r in returns for s in _exception_status(project, r, inner, seen)}
    return set()


def _class_status(project: Project, qualname: str) -> set[int]:
    """`status_code = 403` in the class body, or `super().__init__(403)` in its __init__."""
    for cls in project.mro(qualname):
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                named = any(last_name(t) in STATUS_KEYWORDS for t in targets)
                if named and (status := _status(stmt.value)) is not None:
                    return {status}
        init = project.functions.get(cls.methods.get("__init__", ""))
        for node in ast.walk(init.node) if init is not None else ():
            if isinstance(node, ast.Call) and last_name(node.func) == "__init__":
                kw = [k.value for k in node.keywords if k.arg in STATUS_KEYWORDS]
                found = {s for a in (kw or node.args[:1]) if (s := _status(a)) is not None}
                if found:
                    return found
    return set()


def _status(expr: ast.expr) -> int | None:
    """403, status.HTTP_403_FORBIDDEN, HTTPStatus.FORBIDDEN."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value if 100 <= expr.value < 600 else None
    if isinstance(expr, ast.Attribute):
        if expr.attr in HTTPStatus.__members__:
            return int(HTTPStatus[expr.attr])
        if found := STATUS.search(expr.attr):
            return int(found.group(1))
    return None


# -- where request values enter ------------------------------------------------------------


def unconstrained(project: Project, route: Route, s: Source) -> bool:
    """Whether the request value behind a source is a plain str: no type, length or pattern."""
    if s.origin is Origin.BODY:
        if not s.path or not s.model or s.model not in project.classes:
            return False  # a whole body, or a field of an unknown model
        model = s.model
        for i, name in enumerate(s.path):  # body.customer.email: through nested models
            decl = _field(project, model, name)
            if decl is None or _model_bounds(project, model, name):
                return False
            stmt, mod = decl
            inner = _model_of(project, stmt.annotation, mod) if i + 1 < len(s.path) else None
            if inner is None:
                return not _bounded(project, stmt.annotation, stmt.value, mod, 0)
            model = inner
        return False
    fn = project.functions[route.function]
    if s.path or s.name not in {a.arg for a in fn.params}:
        return False  # an attribute of a parameter, or a value of a dependency
    mod = project.module_of(fn)
    return not _bounded(project, annotation_of(fn, s.name), fn.default_of(s.name), mod, 0)


def _field(project: Project, model: str, name: str) -> tuple[ast.AnnAssign, ModuleInfo] | None:
    """A model field's declaration (through base classes) and the module it is written in."""
    for cls in project.mro(model):
        for stmt in cls.node.body:
            if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", "") == name:
                return stmt, project.modules[cls.module]
    return None


def _model_of(project: Project, ann: ast.expr, mod: ModuleInfo) -> str | None:
    """The project model a field holds (`Customer`, `Optional[Customer]`, `Customer | None`)."""
    if isinstance(ann, ast.Subscript) and last_name(ann.value) in ("Optional", "Annotated"):
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _model_of(project, inner, mod)
    if isinstance(ann, ast.BinOp):
        return _model_of(project, ann.left, mod) or _model_of(project, ann.right, mod)
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model:
        return sym.qualname
    return None


def _model_bounds(project: Project, model: str, name: str) -> bool:
    """Whether the model bounds a field besides its declaration: a config bounding every str
    (`ConfigDict(str_max_length=64)`, v1 `max_anystr_length`), or a validator of the field
    that refuses values (raises)."""
    for cls in project.mro(model):
        for stmt in cls.node.body:
            # model_config = ConfigDict(...) / {...}; class Config: max_anystr_length = 64
            config = isinstance(stmt, ast.Assign | ast.AnnAssign | ast.ClassDef) and _is_config(
                stmt
            )
            if config and {k for n in ast.walk(stmt) for k in _config_keys(n)} & STR_BOUNDS:
                return True
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and _validates(stmt, name):
                return True
    return False


def _is_config(stmt: ast.Assign | ast.AnnAssign | ast.ClassDef) -> bool:
    if isinstance(stmt, ast.ClassDef):
        return stmt.name == "Config"
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return any(last_name(t) == "model_config" for t in targets)


def _config_keys(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call):
        return [k.arg for k in node.keywords if k.arg]
    if isinstance(node, ast.Dict):
        return [
            k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    if isinstance(node, ast.Name | ast.Attribute):
        return [n] if (n := last_name(node)) else []
    return []


def _validates(fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """A `@field_validator("sku")` / `@validator("sku")` (or "*") whose body raises."""
    for dec in fn.decorator_list:
        if not (isinstance(dec, ast.Call) and last_name(dec) in VALIDATORS):
            continue
        fields = {a.value for a in dec.args if isinstance(a, ast.Constant)}
        if fields & {name, "*"}:
            return any(isinstance(n, ast.Raise) for n in ast.walk(fn))
    return False


def _bounded(
    project: Project, ann: ast.expr | None, default: ast.expr | None, mod: ModuleInfo, depth: int
) -> bool:
    """Whether a declaration (annotation, default) constrains the value beyond a plain str."""
    if _limits(default):
        return True
    if ann is None or depth > 3:
        return False
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Annotated":
        parts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_limits(p) for p in parts[1:]) or _bounded(project, parts[0], None, mod, depth)
    if isinstance(ann, ast.Name) and ann.id not in PLAIN:
        sym = project.resolve_name(ann.id, mod)
        if isinstance(sym, tuple):  # FileId = Annotated[str, Path(pattern=...)]
            owner = project.modules[sym[0]]
            values = owner.globals.get(sym[1], [])
            return any(_bounded(project, v, None, owner, depth + 1) for v in values)
        return True  # int, UUID, an Enum or a constrained type
    if isinstance(ann, ast.BinOp):  # str | None
        return _bounded(project, ann.left, None, mod, depth + 1)
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Optional":
        return _bounded(project, ann.slice, None, mod, depth + 1)
    if isinstance(ann, ast.Call):  # constr(max_length=64) used as the annotation
        return _limits(ann)
    return not (isinstance(ann, ast.Name | ast.Constant) or last_name(ann) in PLAIN)


def _limits(expr: ast.expr | None) -> bool:
    """Path(max_length=...), Field(pattern=...), StringConstraints(...), constr(...)."""
    if not isinstance(expr, ast.Call):
        return False
    return last_name(expr) == "constr" or any(k.arg in LIMITS for k in expr.keywords)
