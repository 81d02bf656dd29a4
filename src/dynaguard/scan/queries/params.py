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

from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.infer import annotation_of
from dynaguard.scan.model import ClassRef, DynamoCall, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.value import Origin, Source, Value
from dynaguard.scan.walk import walk

__all__ = ["allow_listed", "fixed_choice"]

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
                    return _fixed(project, stmt.annotation, project.modules[cls.module])
        return False
    if source.path not in ((), ("value",), ("name",)):
        return False  # an attribute of a parameter (an Enum member's .value/.name is fixed)
    for fn in _entry_functions(project, route):
        if source.name in {a.arg for a in fn.params}:
            ann = annotation_of(fn, source.name)
            return ann is not None and _fixed(project, ann, project.module_of(fn))
    return False


def allow_listed(project: Project, call: DynamoCall, site: Site, source: Source) -> bool:
    """The value was checked against fixed values before the call, on the way to it:
    `if x not in ALLOWED: raise ...` (or `return`), `assert x in ALLOWED`, or the call
    inside `if x in ALLOWED:`. ALLOWED is a collection the client does not shape."""
    node: ast.AST = call.node
    frame: Frame | None = site.frame
    while frame is not None and frame.fn is not None:
        line = getattr(node, "lineno", 0)
        for guard in project.locals_of(frame).guards:
            if guard.lineno < line and _excludes(project, guard, frame, source):
                return True
        for sub in walk(frame.fn.node):
            if (
                isinstance(sub, ast.If)
                and _within(sub.body, node)
                and _member(project, sub.test, frame, source, ast.In)
            ):
                return True
        if frame.call is None:
            break
        node, frame = frame.call, frame.caller
    return False


def _excludes(project: Project, guard: ast.If | ast.Assert, frame: Frame, s: Source) -> bool:
    if isinstance(guard, ast.Assert):
        return _member(project, guard.test, frame, s, ast.In)
    leaves = any(isinstance(n, ast.Raise | ast.Return) for n in guard.body)
    return leaves and _member(project, guard.test, frame, s, ast.NotIn)


def _member(project: Project, test: ast.expr, frame: Frame, s: Source, op: type[ast.cmpop]) -> bool:
    """`test` is `x in C` (or `not in`) for x carrying `s` and C fixed by the code."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], op)):
        return False
    left = project.values.of(test.left, frame)
    return s in left.all_sources() and _fixed_collection(
        project.values.of(test.comparators[0], frame)
    )


def _fixed_collection(value: Value) -> bool:
    origins = value.origins()
    return bool(origins) and origins <= {Origin.CONSTANT}


def _within(stmts: list[ast.stmt], node: ast.AST) -> bool:
    return any(n is node for st in stmts for n in walk(st))


def _entry_functions(project: Project, route: Route) -> list[FunctionInfo]:
    """The endpoint, then the dependency functions FastAPI calls for it."""
    out = [project.functions[route.function]] if route.function in project.functions else []
    for dep in route.all_dependencies:
        fn = project.functions.get(dep.target or "")
        if fn is not None and fn not in out:
            out.append(fn)
    return out


def _fixed(
    project: Project, ann: ast.expr, mod: ModuleInfo, seen: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    """Whether an annotation admits only fixed values; `seen` (the type aliases being
    followed) stops only an alias cycle."""
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # X | None
        parts = [p for p in (ann.left, ann.right) if not _none(p)]
        return bool(parts) and all(_fixed(project, p, mod, seen) for p in parts)
    if isinstance(ann, ast.Subscript):
        head = dotted(ann.value, mod) or ""
        args = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        if head in LITERALS:
            return True
        if head in WRAPPERS:
            return _fixed(project, args[0], mod, seen)
        if head in OPTIONAL:
            parts = [p for p in args if not _none(p)]
            return bool(parts) and all(_fixed(project, p, mod, seen) for p in parts)
        return False
    if not isinstance(ann, ast.Name | ast.Attribute):
        return False
    if (dotted(ann, mod) or "") in SCALARS:
        return True
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef):
        return _enum(project, sym.qualname)
    if isinstance(sym, tuple) and sym not in seen:  # Choice = Literal["a", "b"] somewhere
        owner, inner = project.modules[sym[0]], seen | {sym}
        return any(_fixed(project, v, owner, inner) for v in owner.globals.get(sym[1], []))
    return False


def _enum(project: Project, qualname: str) -> bool:
    for cls in project.mro(qualname):
        mod = project.modules[cls.module]
        if any((dotted(b, mod) or "") in ENUMS for b in cls.node.bases):
            return True
    return False


def _none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
