"""Small queries the DG107-DG119 rules share (not a rule: the registry loads dg* only)."""

from __future__ import annotations

import ast
import re

from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.flow import item_value, key_value
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import FunctionInfo, HandleKind, Route
from dynaguard.scan.provenance import Origin, Source, Value
from dynaguard.scan.report import OWNER_NAME

# response envelope keys around a read item: resp["Item"], resp.get("Items"), ...
ENVELOPE = frozenset({"Item", "Items", "Attributes", "Responses", "get", "Count"})
STATUS = re.compile(r"(?:HTTP_)?([1-5]\d\d)")


def at_node(
    m: RuleMeta,
    fn: FunctionInfo,
    node: ast.AST,
    route: Route | None,
    message: str,
    *,
    anchor: str,
    evidence: dict[str, JSON] | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding at a statement of a project function (not at a DynamoDB call)."""
    return m.finding(
        message=message,
        anchor=f"{fn.qualname}:{anchor}",
        path=fn.path,
        line=getattr(node, "lineno", fn.node.lineno),
        column=getattr(node, "col_offset", 0) + 1,
        end_line=getattr(node, "end_lineno", None),
        route=route.label if route else None,
        evidence={"function": fn.qualname, **(evidence or {})},
        severity=severity,
    )


def home(project: Project, route: Route) -> tuple[FunctionInfo, Frame]:
    """A route's endpoint function and its frame."""
    fn = project.functions[route.function]
    return fn, Frame(fn, project.module_of(fn))


def whole_items(value: Value) -> list[Source]:
    """Sources that are a whole read item (or list of items), not one attribute of one."""
    if value.fields is not None:
        return []
    return [s for s in value.sources if s.origin is Origin.ITEM and set(s.path) <= ENVELOPE]


def raised_statuses(stmts: list[ast.stmt]) -> set[int]:
    """HTTP statuses these statements raise (HTTPException(404), status.HTTP_403_...)."""
    out: set[int] = set()
    for stmt in stmts:
        for node in ast.walk(stmt):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            args = [
                *node.exc.args[:1],
                *(k.value for k in node.exc.keywords if k.arg == "status_code"),
            ]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, int):
                    out.add(arg.value)
                elif isinstance(arg, ast.Attribute) and (found := STATUS.search(arg.attr)):
                    out.add(int(found.group(1)))
    return out


def per_user_tables(project: Project) -> dict[str, bool]:
    """Tables the project writes, by whether some write stores a per-user attribute
    (an owner-like name, or a value from the principal). Unwritten tables are absent."""
    out: dict[str, bool] = {}
    for call in project.calls:
        table = call.handle.table
        if not call.is_write or table is None:
            continue
        mine = out.get(table, False)
        for site in project.sites(call):
            item = item_value(project, call, site.frame)
            key = key_value(project, call, site.frame)
            for value in (v for v in (item, key) if v is not None):
                owner_like = any(OWNER_NAME.match(k) for k, _ in value.fields or ())
                mine = mine or owner_like or Origin.PRINCIPAL in value.origins()
        out[table] = mine
    return out


def code_tables(project: Project) -> dict[str, bool]:
    """Table names the code uses (normalised), by whether it ever writes them."""
    out: dict[str, bool] = {}
    for call in project.calls:
        name = call.handle.table
        if call.handle.kind in (HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM):
            cls = project.classes.get(name or "")
            name = cls.table_name if cls else None
        if name:
            key = norm_table(name)
            out[key] = out.get(key, False) or call.is_write
    return out


def only_read(table: str, usage: dict[str, bool]) -> bool:
    """Whether the code uses the table (names match up to stage prefixes) and never writes it."""
    t = norm_table(table)
    hits = [
        w
        for name, w in usage.items()
        if name and (name == t or name.endswith(t) or t.endswith(name))
    ]
    return bool(hits) and not any(hits)


def norm_table(name: str) -> str:
    """A table name compared without case and punctuation (`Orders-Table` ~ `orderstable`)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
