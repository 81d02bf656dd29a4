"""dependency-injector's providers: what a container passes to the callables it calls.

`providers.Factory(BookRepository, table=books_table)` calls `BookRepository(table=...)`
with the value the `books_table` provider gives; `providers.Singleton(_table, dynamodb,
"books")` calls `_table(<dynamodb's value>, "books")`, and `providers.Singleton(
boto3.resource, "dynamodb")` makes the service resource. A parameter of a callable that
only a container calls (no call site binds it) takes its type from those providers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo, Handle, HandleKind
from dynaguard.scan.symbols import ModuleInfo, dotted

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

Type = Handle | ClassRef
TypeOf = Callable[[ast.expr, Frame], Type | None]
Returns = Callable[[FunctionInfo, Frame], Type | None]

PACKAGE = "dependency_injector.providers."
SESSION_FACTORIES = {"resource": HandleKind.RESOURCE, "client": HandleKind.CLIENT}

Provided = tuple[ModuleInfo, dict[str, ast.expr], ast.Call]  # container module, its attrs, call


def provider_calls(p: Project) -> dict[str, list[Provided]]:
    """Every provider call in a container class body, by the qualname of what it calls (a
    class is called through its `__init__`)."""
    out: dict[str, list[Provided]] = {}
    for cls in sorted(p.classes.values(), key=lambda c: c.qualname):
        mod = p.modules[cls.module]
        attrs = {
            t.id: s.value
            for s in cls.node.body
            if isinstance(s, ast.Assign)
            for t in s.targets
            if isinstance(t, ast.Name)
        }
        for value in attrs.values():
            if _provider(value, mod) and isinstance(value, ast.Call) and value.args:
                made = p.resolve_expr(value.args[0], mod)
                if isinstance(made, ClassRef):
                    init = p.method(made.qualname, "__init__")
                    target = init.qualname if init is not None else None
                else:
                    target = made.qualname if isinstance(made, FunctionInfo) else None
                if target is not None:
                    out.setdefault(target, []).append((mod, attrs, value))
    return out


def provided_param(
    p: Project,
    index: dict[str, list[Provided]],
    fn: FunctionInfo,
    name: str,
    *,
    engine: tuple[TypeOf, Returns],
) -> Type | None:
    """The type a container passes for parameter `name` of `fn` (None when none does);
    `index` is `provider_calls(p)`, `engine` the types engine's `of` and `returns`."""
    params = [a.arg for a in fn.params]
    if fn.class_name is not None and params[:1] in (["self"], ["cls"]):
        params = params[1:]
    for mod, attrs, call in index.get(fn.qualname, []):
        arg = next((k.value for k in call.keywords if k.arg == name), None)
        if arg is None and name in params and params.index(name) + 1 < len(call.args):
            arg = call.args[params.index(name) + 1]
        found = _provided(p, engine, mod, attrs, arg) if arg is not None else None
        if found is not None:
            return found
    return None


def _provided(
    p: Project,
    engine: tuple[TypeOf, Returns],
    mod: ModuleInfo,
    attrs: dict[str, ast.expr],
    expr: ast.expr,
    *,
    seen: frozenset[str] = frozenset(),
) -> Type | None:
    """The value a provider expression stands for, in its container's body (`seen`: the
    container attributes followed, so providers that name each other end)."""
    if isinstance(expr, ast.Name) and expr.id in attrs:
        if expr.id in seen:
            return None
        return _provided(p, engine, mod, attrs, attrs[expr.id], seen=seen | {expr.id})
    if not (isinstance(expr, ast.Call) and _provider(expr, mod) and expr.args):
        return engine[0](expr, Frame(None, mod)) if isinstance(expr, ast.Name) else None
    made = expr.args[0]
    name = dotted(made, mod) or ""
    service = expr.args[1] if len(expr.args) > 1 else None
    kind = SESSION_FACTORIES.get(name.rsplit(".", 1)[-1])
    if kind is not None and isinstance(service, ast.Constant) and service.value == "dynamodb":
        lib = name.split(".")[0]
        return Handle(
            kind,
            None,
            lib in ("aioboto3", "aiobotocore"),
            False if kind is HandleKind.CLIENT else None,
        )
    sym = p.resolve_expr(made, mod)
    if isinstance(sym, FunctionInfo):
        return engine[1](sym, Frame(sym, p.module_of(sym)))
    return sym if isinstance(sym, ClassRef) else None


def _provider(value: ast.expr, mod: ModuleInfo) -> bool:
    return isinstance(value, ast.Call) and (dotted(value.func, mod) or "").startswith(PACKAGE)
