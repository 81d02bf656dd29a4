"""Where request values enter: whether an identifier taken from the path, query or body is
constrained (a type, a length, a pattern, a validator) before it reaches a key (DG113)."""

from __future__ import annotations

import ast

from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.infer import annotation_of
from dynaguard.scan.model import ClassRef, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, last_name
from dynaguard.scan.value import Origin, Source
from dynaguard.scan.walk import nodes

__all__ = ["non_negative", "unconstrained"]

LIMITS = frozenset({"pattern", "regex", "max_length", "min_length"})
PLAIN = frozenset({"str", "Any", "Optional", "None"})
# pydantic settings that bound every str field of a model (v2 ConfigDict, v1 class Config)
STR_BOUNDS = frozenset(
    {"str_max_length", "str_min_length", "max_anystr_length", "min_anystr_length"}
)
VALIDATORS = frozenset({"field_validator", "validator"})
# pydantic's sign-bounded types (`amount: PositiveInt`), and the bounds a Field/Query/con*
# call or an annotated-types marker sets
UNSIGNED = frozenset(
    {"PositiveInt", "PositiveFloat", "NonNegativeInt", "NonNegativeFloat", "PositiveDecimal"}
)
LOWER = frozenset({"gt", "ge", "Gt", "Ge"})


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
                return not _bounded(project, stmt.annotation, stmt.value, mod)
            model = inner
        return False
    fn = project.functions[route.function]
    if s.path or s.name not in {a.arg for a in fn.params}:
        return False  # an attribute of a parameter, or a value of a dependency
    mod = project.module_of(fn)
    if _bounded(project, annotation_of(fn, s.name), fn.default_of(s.name), mod):
        return False
    return not _validated_in_body(project, fn, mod, s.name)


def _validated_in_body(project: Project, fn: FunctionInfo, mod: ModuleInfo, name: str) -> bool:
    """`if not SKU.fullmatch(sku): raise HTTPException(422)`: the endpoint tests the value
    itself (a call on it, or a comparison of its length) and refuses it by raising."""
    for guard in project.locals_of(Frame(fn, mod)).guards:
        if not (isinstance(guard, ast.If) and any(isinstance(b, ast.Raise) for b in guard.body)):
            continue
        for node in nodes(guard.test):
            if isinstance(node, ast.Call) and _mentions(node, name):
                return True  # len(sku) > 32, re.fullmatch(P, sku), sku.isalnum()
    return False


def _mentions(call: ast.Call, name: str) -> bool:
    args = [*call.args, *(k.value for k in call.keywords)]
    if isinstance(call.func, ast.Attribute):
        args.append(call.func.value)
    return any(isinstance(a, ast.Name) and a.id == name for a in args)


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
            if config and {k for n in nodes(stmt) for k in _config_keys(n)} & STR_BOUNDS:
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
            return any(isinstance(n, ast.Raise) for n in nodes(fn))
    return False


def _bounded(
    project: Project,
    ann: ast.expr | None,
    default: ast.expr | None,
    mod: ModuleInfo,
    seen: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Whether a declaration (annotation, default) constrains the value beyond a plain str;
    `seen` (the type aliases being followed) stops only an alias cycle."""
    if _limits(default):
        return True
    if isinstance(default, ast.Name):  # NoteId = Path(pattern=...); note_id: str = NoteId
        sym = project.resolve_name(default.id, mod)
        if isinstance(sym, tuple) and any(_limits(v) for v in _global_values(project, sym)):
            return True
    if ann is None:
        return False
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Annotated":
        parts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_limits(p) for p in parts[1:]) or _bounded(project, parts[0], None, mod, seen)
    if isinstance(ann, ast.Name) and ann.id not in PLAIN:
        sym = project.resolve_name(ann.id, mod)
        if isinstance(sym, tuple):  # FileId = Annotated[str, Path(pattern=...)]
            if sym in seen:
                return False
            owner = project.modules[sym[0]]
            values = owner.globals.get(sym[1], [])
            return any(_bounded(project, v, None, owner, seen | {sym}) for v in values)
        return True  # int, UUID, an Enum or a constrained type
    if isinstance(ann, ast.BinOp):  # str | None
        return _bounded(project, ann.left, None, mod, seen)
    if isinstance(ann, ast.Subscript) and last_name(ann.value) == "Optional":
        return _bounded(project, ann.slice, None, mod, seen)
    if isinstance(ann, ast.Call):  # constr(max_length=64) used as the annotation
        return _limits(ann)
    return not (isinstance(ann, ast.Name | ast.Constant) or last_name(ann) in PLAIN)


def _global_values(project: Project, sym: tuple[str, str]) -> list[ast.expr]:
    owner = project.modules.get(sym[0])
    return owner.globals.get(sym[1], []) if owner is not None else []


def _limits(expr: ast.expr | None) -> bool:
    """Path(max_length=...), Field(pattern=...), StringConstraints(...), constr(...)."""
    if not isinstance(expr, ast.Call):
        return False
    return last_name(expr) == "constr" or any(k.arg in LIMITS for k in expr.keywords)


def non_negative(project: Project, route: Route, s: Source) -> bool:
    """Whether the request value behind a source cannot be negative: a body field or a
    parameter declared `PositiveInt`/`NonNegativeInt`..., `Field(gt=0)`/`Query(ge=0)`,
    `conint(gt=0)`, `Annotated[int, Gt(0)]`, or an endpoint that raises when it compares
    the value with zero (`if body.amount <= 0: raise ...`)."""
    fn = project.functions[route.function]
    mod = project.module_of(fn)
    if _compared_with_zero(project, fn, mod, s.dotted):
        return True
    if s.origin is Origin.BODY:
        if not s.path or not s.model or s.model not in project.classes:
            return False
        model = s.model
        for i, name in enumerate(s.path):
            decl = _field(project, model, name)
            if decl is None:
                return False
            stmt, mod = decl
            if i + 1 == len(s.path):
                return _unsigned(project, stmt.annotation, stmt.value, mod)
            inner = _model_of(project, stmt.annotation, mod)
            if inner is None:
                return False
            model = inner
        return False
    if s.path or s.name not in {a.arg for a in fn.params}:
        return False
    return _unsigned(project, annotation_of(fn, s.name), fn.default_of(s.name), mod)


def _unsigned(
    project: Project,
    ann: ast.expr | None,
    default: ast.expr | None,
    mod: ModuleInfo,
    seen: frozenset[tuple[str, str]] = frozenset(),
) -> bool:
    """Whether a declaration bounds the value at or above zero; `seen` (the type aliases
    being followed) stops only an alias cycle, as in `_bounded`."""
    if _lower_bound(default):
        return True
    if ann is None:
        return False
    if isinstance(ann, ast.Call):  # conint(gt=0) as the annotation
        return _lower_bound(ann)
    if isinstance(ann, ast.Subscript) and last_name(ann.value) in ("Annotated", "Optional"):
        parts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_lower_bound(p) for p in parts[1:]) or _unsigned(
            project, parts[0], None, mod, seen
        )
    if isinstance(ann, ast.BinOp):  # PositiveInt | None
        return _unsigned(project, ann.left, None, mod, seen)
    if isinstance(ann, ast.Name | ast.Attribute):
        if last_name(ann) in UNSIGNED:
            return True
        sym = project.resolve_name(ann.id, mod) if isinstance(ann, ast.Name) else None
        if isinstance(sym, tuple) and sym not in seen:  # Amount = Annotated[Decimal, Field(gt=0)]
            inner = seen | {sym}
            return any(
                _unsigned(project, v, None, project.modules[sym[0]], inner)
                for v in _global_values(project, sym)
            )
    return False


def _lower_bound(expr: ast.expr | None) -> bool:
    """Field(gt=0) / Query(ge=0) / conint(ge=1) / Gt(0): a bound at or above zero."""
    if not isinstance(expr, ast.Call):
        return False
    bounds = [k.value for k in expr.keywords if k.arg in LOWER]
    if last_name(expr) in LOWER:  # annotated-types: Gt(0), Ge(0)
        bounds += expr.args[:1]
    return any(_at_least_zero(b) for b in bounds)


def _at_least_zero(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Call) and expr.args:  # Decimal("0.01"), Decimal(0)
        expr = expr.args[0]
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int | float | str):
        try:
            return float(expr.value) >= 0
        except ValueError:
            return False
    return False


def _compared_with_zero(project: Project, fn: FunctionInfo, mod: ModuleInfo, dotted: str) -> bool:
    """`if body.amount <= 0: raise ...` (or `< 0`, `0 >= amount`, one arm of an `or`) in
    the endpoint: past it, the value is not negative."""
    for guard in project.locals_of(Frame(fn, mod)).guards:
        if not (isinstance(guard, ast.If) and any(isinstance(b, ast.Raise) for b in guard.body)):
            continue
        test = guard.test
        arms = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
        )
        for arm in arms:
            if not (isinstance(arm, ast.Compare) and len(arm.comparators) == 1):
                continue
            left, right, op = arm.left, arm.comparators[0], arm.ops[0]
            if isinstance(op, ast.Gt | ast.GtE):  # 0 >= amount: the same test
                left, right = right, left
            elif not isinstance(op, ast.Lt | ast.LtE):
                continue
            if ast.unparse(left) == dotted and _at_least_zero(right):
                return True
    return False
