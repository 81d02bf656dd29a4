"""What a dependency target is: the bodies FastAPI runs for it, or what kind of thing it is.

`Depends(f)` runs `f`; `Depends(Class)` its constructor; `Depends(Class())` its `__call__`;
`Depends(factory(...))` the closure the factory returns; a module-level scheme object
(`OAuth2PasswordBearer(...)`) yields the raw credential ("scheme"); an authentication
library's object authenticates by itself ("library"). Anything else is "unknown".
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.scan.aliases import env_default
from dynaguard.scan.authn_body import param_names
from dynaguard.scan.authn_verify import AUTH_LIBRARIES
from dynaguard.scan.deps import SCHEMES, dependency, depends_of
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, ConstArg, FunctionInfo
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes, own_nodes

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
            return closures(p, p.functions[base])
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
        return closures(p, sym)
    if isinstance(sym, ClassRef):
        return resolve(p, f"{sym.qualname}()")
    if (dotted(value.func, mod) or "").rsplit(".", 1)[-1] in SCHEMES:
        return "scheme"
    return "library" if _library(value, mod) else "unknown"


def library_gate(p: Project, target: str) -> bool:
    """An authentication library's dependency made to admit superusers only:
    fastapi-users' `current_user(active=True, superuser=True)` answers 403 otherwise."""
    mod_name, _, name = target.partition(":")
    mod = p.modules.get(mod_name)
    values = mod.globals.get(name, []) if mod is not None else []
    call = values[0] if len(values) == 1 else None
    if not isinstance(call, ast.Call) or mod is None or not _library(call, mod):
        return False
    return any(
        k.arg == "superuser" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )


def _scheme_class(p: Project, cls: str) -> str:
    bases = {b.rsplit(".", 1)[-1] for c in p.mro(cls) for b in c.bases}
    return "scheme" if bases & SCHEMES else "unknown"


def _library(expr: ast.expr, mod: ModuleInfo) -> bool:
    # through calls, attributes and generic aliases (`FastAPIUsers[User, UUID](...)`)
    while isinstance(expr, ast.Call | ast.Attribute | ast.Subscript):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    if not isinstance(expr, ast.Name):
        return False
    if expr.id in mod.globals and isinstance(mod.globals[expr.id][0], ast.Call):
        return _library(mod.globals[expr.id][0], mod)
    return mod.imports.get(expr.id, "").split(".")[0] in AUTH_LIBRARIES


def closures(p: Project, factory: FunctionInfo) -> list[Body]:
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
        for n in dict.fromkeys(returned)
        if n in inner
    ]


def as_function(body: Body, key: str | None = None) -> FunctionInfo:
    """A closure body as a function the engines can enter (`key`: its qualname, when the
    body is a copy entered with particular arguments)."""
    node = body.node
    return FunctionInfo(key or body.key, body.module.name, node.name, None, node, body.module.path)


def bound_call(p: Project, target: str, args: tuple[tuple[str, ConstArg], ...]) -> list[Body]:
    """`Depends(Checker("admin"))`: the `__call__` FastAPI runs, with each `self.attr` that
    `__init__` sets from a constant argument replaced by that constant (a copy of the
    tree), so that what it compares the caller's role against is known."""
    base = target.removesuffix("()")
    call, init = p.method(base, "__call__"), p.method(base, "__init__")
    if call is None or init is None or not target.endswith("()"):
        return []
    names = [a.arg for a in [*init.node.args.posonlyargs, *init.node.args.args]]
    own, names = (names[0], names[1:]) if names else ("self", [])
    given = {(names[int(k)] if k.isdigit() and int(k) < len(names) else k): v for k, v in args}
    attrs = {
        t.attr: given[s.value.id]
        for s in own_nodes(init.node)
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Name) and s.value.id in given
        for t in s.targets
        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == own
    }
    if not attrs:
        return []
    params = [*call.node.args.posonlyargs, *call.node.args.args]
    me = params[0].arg if params else "self"
    node = _Substitute(me, attrs).visit(copy.deepcopy(call.node))
    return [Body(f"{call.qualname}{args}", node, p.module_of(call), call)]


class _Substitute(ast.NodeTransformer):
    def __init__(self, me: str, attrs: dict[str, ConstArg]) -> None:
        self.me, self.attrs = me, attrs

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if (
            isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == self.me
            and node.attr in self.attrs
        ):
            value = self.attrs[node.attr]
            if isinstance(value, tuple):
                items: list[ast.expr] = [ast.copy_location(ast.Constant(v), node) for v in value]
                return ast.copy_location(ast.Tuple(items, ast.Load()), node)
            return ast.copy_location(ast.Constant(value), node)
        return node


def closure_dependency(
    p: Project, fn: FunctionInfo, exprs: list[ast.expr | None]
) -> FunctionInfo | None:
    """`t = Depends(table_of("events"))` (in a default or an annotation among `exprs`):
    the closure the factory returns, as a function the types engine can enter."""
    mod = p.module_of(fn)
    for expr in exprs:
        found = depends_of(p, mod, expr)
        if found is None:
            continue
        target = dependency(p, found[1], found[0], "param").target or ""
        bodies = resolve(p, target) if target.endswith("()") else []
        if isinstance(bodies, list) and len(bodies) == 1 and bodies[0].fn is None:
            b = bodies[0]
            made = found[0].args[0] if found[0].args else None
            texts = _factory_texts(p, made, found[1]) if isinstance(made, ast.Call) else {}
            own = {a.arg for a in [*b.node.args.posonlyargs, *b.node.args.args]}
            texts = {k: v for k, v in texts.items() if k not in own}
            node = _Closed(texts).visit(copy.deepcopy(b.node)) if texts else b.node
            key = f"{b.key}{sorted(texts.items())}" if texts else b.key
            return as_function(Body(b.key, node, b.module, None), key)
    return None


def _factory_texts(p: Project, call: ast.Call, mod: ModuleInfo) -> dict[str, str]:
    """`_table(EVENTS_TABLE)`: the factory's parameters the call gives a static string
    (a constant, or the default of the environment variable a constant reads)."""
    factory = p.resolve_expr(call.func, mod)
    if not isinstance(factory, FunctionInfo):
        return {}
    names = [a.arg for a in [*factory.node.args.posonlyargs, *factory.node.args.args]]
    pairs = [*zip(names, call.args, strict=False)]
    pairs += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    frame = Frame(None, mod)
    out: dict[str, str] = {}
    for name, arg in pairs:
        text = p.constant_text(arg, frame) or env_default(arg, frame)
        if text is not None:
            out[name] = text
    return out


class _Closed(ast.NodeTransformer):
    """A closure's free variables replaced by the values its factory was called with."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.texts:
            return ast.copy_location(ast.Constant(self.texts[node.id]), node)
        return node


def flow_params(fn: FunctionInfo, flows: list[str]) -> set[str]:
    """The parameters of `fn` named by a flow list (positions or names; `self` skipped)."""
    names = param_names(fn.node)
    offset = 1 if fn.class_name is not None and names[:1] in (["self"], ["cls"]) else 0
    out: set[str] = set()
    for f in flows:
        if f.isdigit():
            i = int(f) + offset
            out |= {names[i]} if i < len(names) else set()
        elif f in names:
            out.add(f)
    return out
