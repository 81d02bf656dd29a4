"""What a route answers: raw items returned, response models declared, statement findings.

`raw_item_returns` follows a route's `return` values through provenance: a whole item read
from DynamoDB (`resp["Item"]`, `resp.get("Items")`, a PynamoDB item's `attribute_values` or
`to_simple_dict()`, from a model, a helper, or a typed PynamoDB index's query) is raw; a new
dict built from its attributes is not, while a dict that carries it whole as a field (a page
envelope) is. `response_model` says whether FastAPI filters the answer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, FunctionInfo, Route
from dynaguard.scan.value import Origin, Source, Value

__all__ = ["Spot", "finding_at", "raw_item_returns", "response_model"]

# what stays the whole item: resp["Item"], resp.get("Items"), a PynamoDB item's
# attribute_values / to_simple_dict()
ENVELOPE = frozenset(
    {"Item", "Items", "Attributes", "Responses", "get", "attribute_values", "to_simple_dict"}
)


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
        if _shaped(project, ret, frame):
            continue
        if isinstance(ret, ast.Dict):  # an envelope: its fields one by one
            parts = [v for v in _leaves(ret) if _carried(v) and not _shaped(project, v, frame)]
            whole = [s for v in parts for s in _whole(project.values.of(v, frame))]
        else:
            whole = _whole(project.values.of(ret, frame))
        if whole:
            line, col = ret.lineno, ret.col_offset + 1
            out.append(
                Spot(fn.path, line, col, ret.end_lineno or line, fn.qualname, whole[0].dotted)
            )
    return out


def _whole(value: Value) -> list[Source]:
    """The whole items a value is, or a new dict carries as one of its fields (a page
    envelope, `{"items": resp["Items"], "next": ...}`); a field picked from an item is not."""
    if value.fields:  # a new dict built field by field (`{}` on a miss does not count)
        return [s for _, v in value.fields for s in _whole(v)]
    if Source(Origin.CONSTANT, "bool") in value.sources:
        return []  # a test's result (`found is not None`) recalls the item it tested
    return [s for s in value.sources if s.origin is Origin.ITEM and set(s.path) <= ENVELOPE]


def _leaves(expr: ast.expr) -> list[ast.expr]:
    """The values of a dict literal, nested dict literals looked through."""
    if not isinstance(expr, ast.Dict):
        return [expr]
    return [leaf for v in expr.values for leaf in _leaves(v)]


def _carried(expr: ast.expr) -> bool:
    """An envelope field that can hold the item itself (`resp["Items"]`, `items`, `item or
    {}`, a copy of the list); not a value computed from it (`len(items)`, `bool(item)`,
    `found is not None`, `f"{item}"`), which the item's provenance also reaches."""
    if isinstance(expr, ast.Call):
        f = expr.func
        return (isinstance(f, ast.Attribute) and f.attr == "get") or (
            isinstance(f, ast.Name) and f.id in ("list", "dict") and len(expr.args) == 1
        )
    if isinstance(expr, ast.BoolOp | ast.IfExp):
        parts = expr.values if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]
        return any(_carried(p) for p in parts)
    return isinstance(expr, ast.Name | ast.Subscript | ast.Attribute | ast.ListComp | ast.Starred)


# Pydantic class methods that build an instance, keeping only the model's declared fields
# (not `model_construct`, which keeps every extra attribute it is given)
VALIDATORS = frozenset({"model_validate", "parse_obj", "from_orm", "model_validate_json"})
DUMPS = frozenset({"model_dump", "dict", "model_dump_json", "json"})


def _shaped(project: Project, expr: ast.expr, frame: Frame) -> bool:
    """`Out(**item)`, `Out.model_validate(item)`, or a comprehension of them: a Pydantic
    model keeps its declared fields only, so what it is built from is not answered raw."""
    if isinstance(expr, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return _shaped(project, expr.elt, frame)
    if not isinstance(expr, ast.Call):
        return False
    f = expr.func
    if isinstance(f, ast.Attribute) and f.attr in DUMPS:  # Out(**item).model_dump()
        return _shaped(project, f.value, frame)
    if isinstance(f, ast.Attribute) and f.attr in VALIDATORS:
        f = f.value
    sym = project.resolve_expr(f, frame.module)
    if not isinstance(sym, ClassRef) or not project.classes[sym.qualname].is_model:
        return False
    return not any(_keeps_extra(c.node) for c in project.mro(sym.qualname))


def _keeps_extra(cls: ast.ClassDef) -> bool:
    """`model_config = ConfigDict(extra="allow")` (or `class Config: extra = "allow"`): the
    model keeps every attribute it is given, declared or not."""
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            inner: list[ast.AST] = list(stmt.body)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign) and "model_config" in {
            t.id
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
            if isinstance(t, ast.Name)
        }:
            inner = [stmt]
        else:
            continue
        for node in (n for s in inner for n in ast.walk(s)):
            if isinstance(node, ast.Constant) and node.value == "allow":
                return True
            if isinstance(node, ast.Attribute) and node.attr == "allow":  # Extra.allow
                return True
    return False


def response_model(project: Project, route: Route) -> bool:
    """Whether FastAPI filters the answer: `response_model=` (not None) or a model return type."""
    fn = project.functions[route.function]
    # add_api_route(path, view, response_model=...) declares it where it registers the view
    declared = [route.declared] if route.declared is not None else []
    for dec in [*declared, *fn.node.decorator_list]:
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
