"""Route-level facts the DG107-DG119 rules need and `scan.query` does not answer yet.

Each function is a question a rule asks; the answer reads today's index (and syntax
trees), so that the rules themselves only use `scan.query` and these names. When the
query API gains the question, the function moves there unchanged. Not a rule module
(the registry loads dg* modules only).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.flow import Event
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame, annotation_of
from dynaguard.scan.model import ClassRef, FunctionInfo, Route
from dynaguard.scan.provenance import Origin, Source
from dynaguard.scan.report import where
from dynaguard.scan.symbols import ModuleInfo, last_name

__all__ = [
    "Spot",
    "exclusive",
    "finding_at",
    "in_dependency",
    "raised_statuses",
    "raw_item_returns",
    "response_model",
    "unconstrained",
    "where",  # evidence pointing at a step of a request (file, line, function)
]

# what stays the whole item: resp["Item"], resp.get("Items"), a PynamoDB item's
# attribute_values / to_simple_dict()
ENVELOPE = frozenset(
    {"Item", "Items", "Attributes", "Responses", "get", "attribute_values", "to_simple_dict"}
)
STATUS = re.compile(r"(?:HTTP_)?([1-5]\d\d)")
LIMITS = frozenset({"pattern", "regex", "max_length", "min_length"})
PLAIN = frozenset({"str", "Any", "Optional", "None"})


@dataclass(frozen=True, slots=True)
class Spot:
    """A statement of the scanned code that is not a DynamoDB call (a `return`)."""

    path: str
    line: int
    column: int
    end_line: int
    function: str
    what: str  # what is there, for the message (`users.Item`)


def finding_at(
    rule: RuleMeta,
    spot: Spot,
    route: Route | None,
    message: str,
    *,
    anchor: str,
    evidence: dict[str, JSON] | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding at a statement (the fingerprint anchor is function + `anchor`, no line)."""
    return rule.finding(
        message=message,
        anchor=f"{spot.function}:{anchor}",
        path=spot.path,
        line=spot.line,
        column=spot.column,
        end_line=spot.end_line,
        route=route.label if route else None,
        evidence={"function": spot.function, **(evidence or {})},
        severity=severity,
    )


def raw_item_returns(project: Project, route: Route) -> list[Spot]:
    """The endpoint's `return`s of a whole read item or list of items (not of a new dict)."""
    fn = project.functions[route.function]
    frame = Frame(fn, project.module_of(fn))
    out: list[Spot] = []
    for ret in project.locals_of(frame).returns:
        value = project.values.of(ret, frame)
        if value.fields is not None:
            continue
        whole = [s for s in value.sources if s.origin is Origin.ITEM and set(s.path) <= ENVELOPE]
        if whole:
            line, col = ret.lineno, ret.col_offset + 1
            out.append(
                Spot(fn.path, line, col, ret.end_lineno or line, fn.qualname, whole[0].dotted)
            )
    return out


def response_model(project: Project, route: Route) -> bool:
    """Whether FastAPI filters the answer: `response_model=` (not None) or a model return type."""
    fn = project.functions[route.function]
    for dec in fn.node.decorator_list:
        for kw in dec.keywords if isinstance(dec, ast.Call) else []:
            if kw.arg == "response_model":
                return not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
    return fn.node.returns is not None and _is_model(project, fn, fn.node.returns)


def _is_model(project: Project, fn: FunctionInfo, ann: ast.expr) -> bool:
    if isinstance(ann, ast.Subscript):  # list[Out], Optional[Out], Annotated[Out, ...]
        inner = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_is_model(project, fn, e) for e in inner[:1])
    if isinstance(ann, ast.BinOp):  # Out | None
        return _is_model(project, fn, ann.left) or _is_model(project, fn, ann.right)
    sym = project.resolve_expr(ann, project.module_of(fn))
    return isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model


def raised_statuses(check: Event) -> set[int]:
    """HTTP statuses a check raises when it fails (HTTPException(404), status.HTTP_403_...)."""
    out: set[int] = set()
    for stmt in check.node.body if isinstance(check.node, ast.If) else []:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            exc = node.exc
            args = [*exc.args[:1], *(k.value for k in exc.keywords if k.arg == "status_code")]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, int):
                    out.add(arg.value)
                elif isinstance(arg, ast.Attribute) and (found := STATUS.search(arg.attr)):
                    out.add(int(found.group(1)))
    return out


def in_dependency(ev: Event) -> bool:
    """Whether a step runs inside one of the route's dependencies (entered with no call)."""
    frame: Frame | None = ev.frame
    while frame is not None and frame.caller is not None:
        if frame.call is None:
            return True
        frame = frame.caller
    return False


def exclusive(a: Event, b: Event) -> bool:
    """Whether two steps sit on branches (if/else, try/except) that never both run."""
    for (fa, na), (fb, nb) in zip(_trail(a), _trail(b), strict=False):
        if fa is not fb or fa is None or na is None or nb is None:
            return False
        if na is not nb:  # the first function where the two paths part
            return _branches(fa.node, na, nb)
    return False


def _trail(ev: Event) -> list[tuple[FunctionInfo | None, ast.AST | None]]:
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
        if (
            isinstance(node, ast.If)
            and _after(node, b)
            and _ends(node.body)
            and _within(node.body, a)
        ):
            return True  # `if ...: write; return` then a write after the `if`
    return False


def _ends(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Return | ast.Raise)


def _after(node: ast.stmt, other: ast.AST) -> bool:
    return getattr(other, "lineno", 0) > (node.end_lineno or node.lineno)


def _within(stmts: Sequence[ast.AST], node: ast.AST) -> bool:
    return any(n is node for s in stmts for n in ast.walk(s))


def unconstrained(project: Project, route: Route, s: Source) -> bool:
    """Whether the request value behind a source is a plain str: no type, length or pattern."""
    if s.origin is Origin.BODY:
        if not s.path or not s.model or s.model not in project.classes:
            return False  # a whole body, or a field of an unknown model
        for cls in project.mro(s.model):
            for stmt in cls.node.body:
                if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", "") == s.path[0]:
                    mod = project.modules[cls.module]
                    return not _bounded(project, stmt.annotation, stmt.value, mod, 0)
        return False
    fn = project.functions[route.function]
    if s.path or s.name not in {a.arg for a in fn.params}:
        return False  # an attribute of a parameter, or a value of a dependency
    mod = project.module_of(fn)
    return not _bounded(project, annotation_of(fn, s.name), fn.default_of(s.name), mod, 0)


def _bounded(
    project: Project, ann: ast.expr | None, default: ast.expr | None, mod: ModuleInfo, depth: int
) -> bool:
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
    return not (isinstance(ann, ast.Name | ast.Constant) or last_name(ann) in PLAIN)


def _limits(expr: ast.expr | None) -> bool:
    """Path(max_length=...), Field(pattern=...), StringConstraints(...), constr(...)."""
    if not isinstance(expr, ast.Call):
        return False
    return last_name(expr) == "constr" or any(k.arg in LIMITS for k in expr.keywords)
