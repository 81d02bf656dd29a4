"""What a request value may be: parameters FastAPI constrains to fixed values.

`fixed_choice(project, route, source)` answers whether the client can only send one of a
closed set of values for a request source: a `Literal[...]` or `Enum` annotation (through
`Annotated`, `Optional` and `X | None`, and type aliases), or a non-string scalar (`bool`,
`int`, `float`, `UUID`, dates) that FastAPI parses before the handler runs. Such a value
cannot carry expression syntax or name an arbitrary attribute. The decision is by the
declared type FastAPI validates, never by the parameter's name.
"""

from __future__ import annotations

import ast

from dynaguard.scan.index import Project
from dynaguard.scan.infer import annotation_of
from dynaguard.scan.model import ClassRef, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.value import Origin, Source

__all__ = ["fixed_choice"]

LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal", "Literal"})
ENUMS = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
# types FastAPI parses into values with no room for expression text
SCALARS = frozenset(
    {
        "bool",
        "int",
        "float",
        "uuid.UUID",
        "UUID",
        "datetime.datetime",
        "datetime.date",
        "decimal.Decimal",
        "pydantic.StrictInt",
        "pydantic.StrictBool",
        "pydantic.PositiveInt",
        "pydantic.NonNegativeInt",
        "pydantic.UUID4",
    }
)
WRAPPERS = frozenset({"typing.Annotated", "typing_extensions.Annotated", "Annotated"})
OPTIONAL = frozenset({"typing.Optional", "typing.Union", "Optional", "Union"})
MAX_ALIAS = 4


def fixed_choice(project: Project, route: Route, source: Source) -> bool:
    """The client can only send one of fixed values (Literal, Enum) or a parsed scalar."""
    if source.origin is Origin.BODY:
        if len(source.path) != 1 or source.model not in project.classes:
            return False  # a whole body, a nested field, or a model not in the project
        for cls in project.mro(source.model or ""):
            for stmt in cls.node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and getattr(stmt.target, "id", "") == (source.path[0])
                ):
                    return _fixed(project, stmt.annotation, project.modules[cls.module], 0)
        return False
    if source.path not in ((), ("value",), ("name",)):
        return False  # an attribute of a parameter (an Enum member's .value/.name is fixed)
    for fn in _entry_functions(project, route):
        if source.name in {a.arg for a in fn.params}:
            ann = annotation_of(fn, source.name)
            return ann is not None and _fixed(project, ann, project.module_of(fn), 0)
    return False


def _entry_functions(project: Project, route: Route) -> list[FunctionInfo]:
    """The endpoint, then the dependency functions FastAPI calls for it."""
    out = [project.functions[route.function]] if route.function in project.functions else []
    for dep in route.all_dependencies:
        fn = project.functions.get(dep.target or "")
        if fn is not None and fn not in out:
            out.append(fn)
    return out


def _fixed(project: Project, ann: ast.expr, mod: ModuleInfo, depth: int) -> bool:
    if depth > MAX_ALIAS:
        return False
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # X | None
        parts = [p for p in (ann.left, ann.right) if not _none(p)]
        return bool(parts) and all(_fixed(project, p, mod, depth + 1) for p in parts)
    if isinstance(ann, ast.Subscript):
        head = dotted(ann.value, mod) or ""
        args = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if head in LITERALS:
            return True
        if head in WRAPPERS:
            return _fixed(project, args[0], mod, depth + 1)
        if head in OPTIONAL:
            parts = [p for p in args if not _none(p)]
            return bool(parts) and all(_fixed(project, p, mod, depth + 1) for p in parts)
        return False
    if not isinstance(ann, ast.Name | ast.Attribute):
        return False
    if (dotted(ann, mod) or "") in SCALARS:
        return True
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef):
        return _enum(project, sym.qualname)
    if isinstance(sym, tuple):  # Choice = Literal["a", "b"] in some module
        owner = project.modules[sym[0]]
        return any(_fixed(project, v, owner, depth + 1) for v in owner.globals.get(sym[1], []))
    return False


def _enum(project: Project, qualname: str) -> bool:
    for cls in project.mro(qualname):
        mod = project.modules[cls.module]
        if any((dotted(b, mod) or "") in ENUMS for b in cls.node.bases):
            return True
    return False


def _none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
