"""Names that stand for something else: a type alias, an environment variable's default.

Kept apart from infer.py, which asks them while typing expressions.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.model import FunctionInfo
from dynaguard.scan.symbols import ModuleInfo, dotted

if TYPE_CHECKING:
    from dynaguard.scan.model import DynamoCall
    from dynaguard.scan.protocols import Project


def env_default(expr: ast.expr | None, frame: Frame, p: Project | None = None) -> str | None:
    """`Table(NAME)` with `NAME = os.environ.get("PAGES_TABLE", "wiki-pages")` (or
    `os.getenv`): the default names the table, so two handles built from different
    variables are told apart. With `p`, NAME may be imported from another module."""
    home = frame.module
    alias = isinstance(expr, ast.Name | ast.Attribute)
    named = isinstance(expr, ast.Name) and expr.id not in home.globals
    if (named or isinstance(expr, ast.Attribute)) and p is not None:  # or `db.PAGES_TABLE`
        assert isinstance(expr, ast.Name | ast.Attribute)
        sym = p.resolve_expr(expr, home)
        if isinstance(sym, tuple) and sym[0] in p.modules:
            home, expr = p.modules[sym[0]], ast.Name(sym[1])
    if isinstance(expr, ast.Name) and expr.id in home.globals:
        expr = home.globals[expr.id][0]
    if isinstance(expr, ast.Constant) and alias:  # STAGE = "dev", inside an f-string
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, ast.JoinedStr):  # f"{PREFIX}orders", PREFIX an environment default
        at = frame if home is frame.module else Frame(None, home)
        parts = [_part(v, at, p) for v in expr.values]
        return "".join(x for x in parts if isinstance(x, str)) if all(parts) else None
    if not isinstance(expr, ast.Call):
        return None
    if dotted(expr.func, home) not in ("os.environ.get", "os.getenv") or len(expr.args) != 2:
        return _returned(expr, frame, p) if home is frame.module else None
    default = expr.args[1]
    if isinstance(default, ast.JoinedStr):  # os.getenv("X", f"{STAGE}-{logical}")
        return env_default(default, frame, p) if home is frame.module else None
    return (
        default.value
        if isinstance(default, ast.Constant) and isinstance(default.value, str)
        else None
    )


def _part(v: ast.expr, frame: Frame, p: Project | None) -> str | None:
    """One piece of an f-string table name: its text, an environment default, or the
    constant a parameter was given (`f"{STAGE}-{logical}"` in `table("items")`)."""
    if isinstance(v, ast.Constant):
        return v.value if isinstance(v.value, str) else None
    if not isinstance(v, ast.FormattedValue) or v.format_spec is not None or v.conversion != -1:
        return None
    found = env_default(v.value, frame, p)
    return found if found is not None or p is None else p.values.text(v.value, frame)


def _returned(call: ast.Call, frame: Frame, p: Project | None) -> str | None:
    """The table name a project function returns (`table_name("items")`), when it has
    one return, followed to a bounded depth."""
    if p is None or frame.depth > 4:
        return None
    target = p.resolve_call_target(call, frame, p.types)
    if not isinstance(target, FunctionInfo):
        return None
    inner = frame.enter(target, call, p.module_of(target))
    returns = p.locals_of(inner).returns
    return env_default(returns[0], inner, p) if len(returns) == 1 else None


def type_alias(p: Project, sym: object) -> tuple[ModuleInfo, ast.expr] | None:
    """A module-level type alias (`X = Annotated[...]`, `X = Optional[Y]`): its value."""
    if not isinstance(sym, tuple) or sym[0] not in p.modules:
        return None
    home = p.modules[sym[0]]
    values = home.globals.get(sym[1], [])
    return (home, values[0]) if len(values) == 1 and isinstance(values[0], ast.Subscript) else None


def table_name(p: Project, call: DynamoCall, frame: Frame) -> str | None:
    """The table an operation names: its handle's (`Table("orders")`), or a low-level
    client's `TableName=` text or environment default (`TableName=ORDERS_TABLE`)."""
    if call.handle.table:
        return call.handle.table
    value = p.values.arg(call, "TableName", frame)
    if value is not None and len(value.texts) == 1:
        return next(iter(value.texts))
    return env_default(call.args.get("TableName"), frame, p) if value is not None else None
