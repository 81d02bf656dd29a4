"""Paths an authentication middleware lets through unchecked.

`if request.url.path in PUBLIC_PATHS: return await call_next(request)` before the token
is verified (or `== "/health"`, `.startswith(("/public", "/webhooks"))`): the routes at
those paths are served to anyone, however the middleware treats the rest.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, cast

from dynaguard.scan.symbols import ModuleInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["exempted", "exempts_some"]


def exempted(project: Project, middleware: str, paths: list[str]) -> bool:
    """Whether the middleware function passes every one of `paths` on unchecked."""
    found, starts = _passed(project, middleware)
    return (
        bool(paths)
        and bool(found or starts)
        and all(p in found or p.startswith(starts) for p in paths)
    )


def exempts_some(project: Project, middleware: str) -> bool:
    """Whether the middleware function passes any path on unchecked."""
    found, starts = _passed(project, middleware)
    return bool(found or starts)


def _passed(project: Project, middleware: str) -> tuple[set[str], tuple[str, ...]]:
    """The exact paths and the prefixes the middleware passes on unchecked (built once)."""
    fn = project.functions.get(middleware)
    if fn is None:
        return set(), ()
    key = ("exempt", middleware)
    if key not in project.syntax:
        mod = project.module_of(fn)
        exact: set[str] = set()
        prefixes: list[str] = []
        handed = {a.arg for a in fn.params}  # `call_next` is what the middleware is handed
        named = {  # `path = request.url.path`, tested below
            t.id
            for stmt in fn.node.body
            if isinstance(stmt, ast.Assign) and _is_path(stmt.value, set())
            for t in stmt.targets
            if isinstance(t, ast.Name)
        }
        for stmt in fn.node.body:  # the function's own top-level statements, before the check
            if isinstance(stmt, ast.If) and _passes_on(stmt.body, handed):
                for test in _either(stmt.test):
                    _read(test, mod, exact, prefixes, named)
        project.syntax[key] = (exact, tuple(prefixes))
    return cast("tuple[set[str], tuple[str, ...]]", project.syntax[key])


def _passes_on(body: list[ast.stmt], handed: set[str]) -> bool:
    """`return await call_next(request)`: the next app, a parameter of the middleware, is
    called at once (the request goes on without a check)."""
    first = body[0] if body else None
    value = first.value if isinstance(first, ast.Return) else None
    value = value.value if isinstance(value, ast.Await) else value
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in handed
        and bool(value.args)
    )


def _either(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [t for v in test.values for t in _either(v)]
    return [test]


def _read(
    test: ast.expr, mod: ModuleInfo, exact: set[str], prefixes: list[str], named: set[str]
) -> None:
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _is_path(test.left, named):
        if isinstance(test.ops[0], ast.Eq | ast.In):
            exact.update(_texts(test.comparators[0], mod))
    elif (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and _is_path(test.func.value, named)
        and test.args
    ):
        prefixes.extend(_texts(test.args[0], mod))


def _is_path(e: ast.expr, named: set[str]) -> bool:
    """`request.url.path` (or `scope["path"]`, or a local `named` after it)."""
    if isinstance(e, ast.Name):
        return e.id in named
    if isinstance(e, ast.Attribute) and e.attr == "path":
        return isinstance(e.value, ast.Attribute) and e.value.attr == "url"
    return (
        isinstance(e, ast.Subscript)
        and isinstance(e.slice, ast.Constant)
        and e.slice.value == "path"
    )


def _texts(e: ast.expr, mod: ModuleInfo) -> list[str]:
    """The strings of a constant, a collection of them, or a module constant holding one
    (`frozenset({...})` included)."""
    if isinstance(e, ast.Name) and len(mod.globals.get(e.id, [])) == 1:
        e = mod.globals[e.id][0]
    if isinstance(e, ast.Call) and len(e.args) == 1:  # frozenset({...}), set([...])
        e = e.args[0]
    if isinstance(e, ast.Constant) and isinstance(e.value, str):
        return [e.value]
    if isinstance(e, ast.Tuple | ast.List | ast.Set):
        return [x.value for x in e.elts if isinstance(x, ast.Constant) and isinstance(x.value, str)]
    return []
