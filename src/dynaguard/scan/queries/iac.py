"""IaC questions for DG118: the IAM grants written beside the code, and which tables the
code itself reads and writes (so a grant can be compared with what the service does)."""

from __future__ import annotations

import ast
import re

from dynaguard.scan.frames import Frame
from dynaguard.scan.iac.model import Managed, Statement
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.symbols import last_name
from dynaguard.scan.walk import nodes

__all__ = ["Managed", "Statement", "code_tables", "managed_policies", "only_read", "statements"]

PYNAMODB = (HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM)


def statements(project: Project) -> list[Statement]:
    """Every Allow statement (or grant that amounts to one) read from the IaC files."""
    return list(project.iac.statements)


def managed_policies(project: Project) -> list[Managed]:
    """Every AWS managed policy the IaC attaches (AmazonDynamoDBFullAccess...)."""
    return list(project.iac.managed)


def code_tables(project: Project) -> dict[str, bool]:
    """Table names the code uses (compared by `norm_table`), by whether it ever writes them;
    a table named by an environment variable takes the name the IaC gives that variable."""
    out: dict[str, bool] = {}
    env = project.iac.env_tables
    for call in project.calls:
        name = call.handle.table
        if call.handle.kind in PYNAMODB:  # the handle names the model; its Meta the table
            cls = project.classes.get(name or "")
            name = cls.table_name if cls else None
        elif env:  # the IaC's name for the variable, before the code's default for it
            name = _env_table(project, call, env) or name
        if name:
            key = norm_table(name)
            out[key] = out.get(key, False) or call.is_write
    return out


def _env_table(project: Project, call: DynamoCall, env: dict[str, str]) -> str | None:
    """The table of `Table(os.environ["ORDERS_TABLE"])` (getenv, environ.get, a settings
    field `orders_table`, a constant holding one), followed from the call's receiver."""
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
    todo = [recv] if recv is not None else []
    seen: set[str] = set()
    while todo:
        expr = todo.pop()
        callees = {id(n.func) for n in nodes(expr) if isinstance(n, ast.Call)}
        for node in nodes(expr):
            var = _env_var(node) if id(node) not in callees else None
            if var is not None and (var in env or var.upper() in env):
                return env.get(var) or env[var.upper()]
            name = _bound_name(node)
            if name is not None and name not in seen:
                seen.add(name)
                todo += _definitions(project, call, name)
    return None


def _env_var(node: ast.AST) -> str | None:
    """os.environ["X"], os.getenv("X"), os.environ.get("X"), settings.x (BaseSettings)."""
    if isinstance(node, ast.Subscript) and last_name(node.value) == "environ":
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    if isinstance(node, ast.Call) and node.args:
        getter = last_name(node.func) == "getenv" or (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and last_name(node.func.value) == "environ"
        )
        arg = node.args[0]
        if getter and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    if isinstance(node, ast.Attribute) and last_name(node.value) not in ("self", "cls"):
        return node.attr  # a settings field: pydantic-settings reads the same-named variable
    return None


def _bound_name(node: ast.AST) -> str | None:
    """`orders` or `self.orders`: a name whose assignments may hold the table's name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and last_name(node.value) in ("self", "cls"):
        return f"self.{node.attr}"
    return None


def _definitions(project: Project, call: DynamoCall, name: str) -> list[ast.expr]:
    """What a name is assigned: in the call's function, its module, or its class (`self.x`)."""
    fn = project.functions.get(call.function or "")
    mod = project.modules[call.module]
    if name.startswith("self."):
        cls = project.classes.get(f"{mod.name}:{fn.class_name}") if fn and fn.class_name else None
        attr = name.removeprefix("self.")
        if cls is None:
            return []
        return [*cls.init_attrs.get(attr, []), *(e for _, e in cls.late_attrs.get(attr, []))]
    local = project.locals_of(Frame(fn, mod)).assigns.get(name, []) if fn else []
    return [*local, *mod.globals.get(name, [])]


def only_read(table: str, usage: dict[str, bool]) -> bool:
    """Whether the code uses the table (names match up to stage prefixes) and never writes it."""
    t = norm_table(table)
    hits = [w for n, w in usage.items() if n and (n == t or n.endswith(t) or t.endswith(n))]
    return bool(hits) and not any(hits)


def norm_table(name: str) -> str:
    """A table name compared without case and punctuation (`Orders-Table` ~ `orderstable`)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
