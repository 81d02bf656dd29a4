"""Per-module symbol tables: imports, functions, classes, module globals; name resolution."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from dynaguard.scan.model import ClassInfo, FunctionInfo

MODEL_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel"})
# dyntastic's models are PynamoDB-shaped: Model.get/safe_get/query, item.save/update/delete
PYNAMO_BASES = frozenset(
    {"pynamodb.models.Model", "dyntastic.Dyntastic", "dyntastic.main.Dyntastic"}
)


@dataclass(slots=True, eq=False)
class ModuleInfo:
    """One parsed module and its symbol table."""

    name: str
    path: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    globals: dict[str, list[ast.expr]] = field(default_factory=dict)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # local qual -> info
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # class name -> info

    @property
    def package(self) -> str:
        """The package a relative import starts from."""
        return self.name if self.path.endswith("__init__.py") else self.name.rpartition(".")[0]


def build_module(name: str, path: str, tree: ast.Module) -> ModuleInfo:
    """Read the symbol table of one module (one pass over its top level)."""
    mod = ModuleInfo(name, path, tree)
    for stmt in _top_level(tree.body):
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            _add_import(mod, stmt)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            mod.functions[stmt.name] = FunctionInfo(
                f"{name}:{stmt.name}", name, stmt.name, None, stmt, path
            )
            for inner in route_handlers(stmt):  # a router factory's endpoints
                local = f"{stmt.name}.{inner.name}"
                mod.functions[local] = FunctionInfo(
                    f"{name}:{local}", name, inner.name, None, inner, path
                )
        elif isinstance(stmt, ast.ClassDef):
            _add_class(mod, stmt)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for n in _names(target):
                    mod.globals.setdefault(n, []).append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            for n in _names(stmt.target):
                mod.globals.setdefault(n, []).append(stmt.value)
    return mod


# decorators that make a method an attribute of its instances
PROPERTIES = frozenset({"property", "cached_property"})
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
ROUTE_DECORATORS = frozenset(
    {*HTTP_METHODS, "api_route", "websocket"}
)  # a websocket too  # `@router.get(...)` and co.
# what an app factory's nested functions register with the app it builds: path operations,
# exception handlers (`@app.exception_handler(Exception)`), `@app.middleware("http")`
REGISTERED = frozenset({*ROUTE_DECORATORS, "exception_handler", "middleware"})


def route_handlers(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions defined in a function's body and registered with an app or router there:
    path operations (`def build_router(): router = APIRouter(); @router.get("/x") def
    x(): ...`), exception handlers and middleware of an app factory. Other nested
    functions are left to their enclosing function, as before."""
    added = _added_routes(fn.body)
    return [
        s
        for s in fn.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        and (
            s.name in added
            or any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr in REGISTERED
                for d in s.decorator_list
            )
        )
    ]


def _added_routes(body: list[ast.stmt]) -> set[str]:
    """Names a factory's body passes as the endpoint of `x.add_api_route(path, f, ...)`
    (fastapi-crudrouter's style: the nested functions are registered, not decorated)."""
    out: set[str] = set()
    for stmt in body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "add_api_route"
        ):
            continue
        given = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "endpoint")]
        out |= {e.id for e in given if isinstance(e, ast.Name)}
    return out


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    # `if TYPE_CHECKING:` / `try: import x except ImportError:` blocks still define names.
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            out += _top_level(stmt.body) + _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            out += _top_level(stmt.body)
            for h in stmt.handlers:
                out += _top_level(h.body)
        else:
            out.append(stmt)
    return out


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for e in target.elts for n in _names(e)]
    return []


def _add_import(mod: ModuleInfo, stmt: ast.Import | ast.ImportFrom) -> None:
    if isinstance(stmt, ast.Import):
        for a in stmt.names:
            if a.asname:
                mod.imports[a.asname] = a.name
            else:
                head = a.name.split(".")[0]
                mod.imports.setdefault(head, head)
        return
    base = stmt.module or ""
    if stmt.level:
        pkg = mod.package.split(".") if mod.package else []
        up = pkg[: len(pkg) - (stmt.level - 1)] if stmt.level > 1 else pkg
        base = ".".join([*up, *([base] if base else [])])
    for a in stmt.names:
        if a.name != "*":
            mod.imports[a.asname or a.name] = f"{base}.{a.name}" if base else a.name


def _add_class(mod: ModuleInfo, node: ast.ClassDef) -> None:
    info = ClassInfo(
        f"{mod.name}:{node.name}",
        mod.name,
        node.name,
        node,
        mod.path,
        tuple(dotted(b, mod) or "" for b in node.bases),
    )
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            qual = f"{node.name}.{stmt.name}"
            mod.functions[qual] = FunctionInfo(
                f"{mod.name}:{qual}", mod.name, stmt.name, node.name, stmt, mod.path
            )
            info.methods[stmt.name] = f"{mod.name}:{qual}"
            if stmt.name == "__init__":
                _init_attrs(info, stmt)
            else:
                _late_attrs(info, stmt, f"{mod.name}:{qual}")
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            info.fields[stmt.target.id] = stmt.value
            _pynamo_field(info, stmt.target.id, stmt.value, mod)
        elif isinstance(stmt, ast.Assign):
            for n in (n for t in stmt.targets for n in _names(t)):
                info.fields[n] = stmt.value
                _pynamo_field(info, n, stmt.value, mod)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            info.table_name = _meta_table(stmt)
    mod.classes[node.name] = info


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of a body, nested blocks included (no expression is walked)."""
    out: list[ast.stmt] = []
    todo = list(body)
    while todo:
        stmt = todo.pop()
        out.append(stmt)
        blocks = _BLOCKS.get(type(stmt))
        if blocks is None:
            blocks = _BLOCKS[type(stmt)] = _blocks(type(stmt))
        for name in blocks:  # most statements have none: no getattr for them
            inner = getattr(stmt, name)
            if name == "handlers":
                todo += [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body]
            else:
                todo += [s for s in inner if isinstance(s, ast.stmt)]
    return out


_BLOCKS: dict[type, tuple[str, ...]] = {}


def _blocks(kind: type) -> tuple[str, ...]:
    """The statement-list fields `_statements` descends into for one statement class."""
    if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        return ()
    fields: tuple[str, ...] = getattr(kind, "_fields", ())
    return tuple(n for n in ("body", "orelse", "finalbody", "handlers") if n in fields)


def _init_attrs(info: ClassInfo, init: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    for node in _statements(init.body):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if (
                isinstance(t, ast.Attribute)
                and isinstance(t.value, ast.Name)
                and t.value.id == "self"
                and value is not None
            ):
                info.init_attrs.setdefault(t.attr, []).append(value)


def _late_attrs(info: ClassInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, qual: str) -> None:
    # long-lived wrappers open their aioboto3 resource in a start-up method, not __init__
    for node in _statements(fn.body):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if (
                    isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ):
                    info.late_attrs.setdefault(t.attr, []).append((qual, node.value))


def _pynamo_field(info: ClassInfo, name: str, value: ast.expr | None, mod: ModuleInfo) -> None:
    if isinstance(value, ast.Call):
        d = dotted(value.func, mod) or ""
        if d.endswith("VersionAttribute"):
            info.version_attribute = name


def _meta_table(meta: ast.ClassDef) -> str | None:
    for stmt in meta.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "table_name" for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            return stmt.value.value
    return None


def dotted(expr: ast.expr, mod: ModuleInfo) -> str | None:
    """`a.b.c` with its head resolved through the module's imports (None for other shapes)."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.insert(0, expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    head = mod.imports.get(expr.id, expr.id)
    return ".".join([head, *parts])


def last_name(expr: ast.expr) -> str | None:
    """The last identifier of a Name/Attribute/Call chain (`x.y.get_user()` -> get_user)."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None
