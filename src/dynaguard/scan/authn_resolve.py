"""What a dependency target is: the bodies FastAPI runs for it, or what kind of thing it is.

`Depends(f)` runs `f`; `Depends(Class)` its constructor; `Depends(Class())` its `__call__`;
`Depends(factory(...))` the closure the factory returns; a module-level scheme object
(`OAuth2PasswordBearer(...)`) yields the raw credential ("scheme"); an authentication
library's object authenticates by itself ("library"). Anything else is "unknown".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.scan.authn_verify import AUTH_LIBRARIES
from dynaguard.scan.deps import SCHEMES
from dynaguard.scan.model import ClassRef, FunctionInfo
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


@dataclass(frozen=True, slots=True)
class Body:
    """A function body to judge: its key (a qualname, `f.<locals>.g` for closures)."""

    key: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: ModuleInfo
    fn: FunctionInfo | None  # None for a closure returned by a dependency factory


def body_of(p: Project, fn: FunctionInfo) -> Body:
    """A project function as a body to judge."""
    return Body(fn.qualname, fn.node, p.module_of(fn), fn)


def resolve(p: Project, target: str) -> list[Body] | str:
    """The bodies FastAPI runs for a dependency, or "library"/"scheme"/"unknown"."""
    if target in p.functions:
        return [body_of(p, p.functions[target])]
    if target.endswith("()"):
        base = target[:-2]
        if base in p.functions:
            return _closures(p, p.functions[base])
        if base in p.classes:
            call = p.method(base, "__call__")
            return [body_of(p, call)] if call is not None else _scheme_class(p, base)
    if target in p.classes:  # Depends(Class): FastAPI calls the constructor
        init = p.method(target, "__init__")
        return [body_of(p, init)] if init is not None else "unknown"
    mod_name, _, name = target.partition(":")
    mod = p.modules.get(mod_name)
    if mod is not None and mod.globals.get(name):
        return _global(p, mod, mod.globals[name][0])
    return "library" if target.split(".", maxsplit=1)[0] in AUTH_LIBRARIES else "unknown"


def _global(p: Project, mod: ModuleInfo, value: ast.expr) -> list[Body] | str:
    if not isinstance(value, ast.Call):
        return "unknown"
    sym = (
        p.resolve_expr(value.func, mod)
        if isinstance(value.func, ast.Name | ast.Attribute)
        else None
    )
    if isinstance(sym, FunctionInfo):
        return _closures(p, sym)
    if isinstance(sym, ClassRef):
        return resolve(p, f"{sym.qualname}()")
    if (dotted(value.func, mod) or "").rsplit(".", 1)[-1] in SCHEMES:
        return "scheme"
    return "library" if _library(value, mod) else "unknown"


def _scheme_class(p: Project, cls: str) -> str:
    bases = {b.rsplit(".", 1)[-1] for c in p.mro(cls) for b in c.bases}
    return "scheme" if bases & SCHEMES else "unknown"


def _library(expr: ast.expr, mod: ModuleInfo) -> bool:
    while isinstance(expr, ast.Call | ast.Attribute):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    if not isinstance(expr, ast.Name):
        return False
    if expr.id in mod.globals and isinstance(mod.globals[expr.id][0], ast.Call):
        return _library(mod.globals[expr.id][0], mod)
    return mod.imports.get(expr.id, "").split(".")[0] in AUTH_LIBRARIES


def _closures(p: Project, factory: FunctionInfo) -> list[Body]:
    """`def require_role(r): def check(...): ...; return check` -> check."""
    inner = {
        s.name: s
        for s in factory.node.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    returned = [
        s.value.id
        for s in nodes(factory.node)
        if isinstance(s, ast.Return) and isinstance(s.value, ast.Name)
    ]
    mod = p.module_of(factory)
    return [
        Body(f"{factory.qualname}.<locals>.{n}", inner[n], mod, None)
        for n in returned
        if n in inner
    ]
