"""Routes a router factory registers, once per call (fastapi-crudrouter's style).

`def crud_router(table_name, *, prefix, owner_field=None)` builds an `APIRouter`, defines
its endpoints as nested functions and registers them; each
`app.include_router(crud_router("webhooks", prefix="/webhooks"))` makes a router of its
own whose endpoints see that call's arguments. So each call gets its own router (prefix
bound to the call's constant) and its own copy of each endpoint, in which the factory's
parameters are replaced by the constants the call gives (or their defaults), the
factory's own locals the endpoint reads (`table = dynamodb.Table(table_name)`) come
first, and the branches those constants decide are cut: with `owner_field=None`,
`if owner_field and item[owner_field] != user.sub: raise` is no check at all, and
`if owner_field: query(...) else: scan(...)` only scans. The same copying as a
dependency factory's closure (`authn_resolve._Closed`), entered as its own function.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from typing import TYPE_CHECKING, TypeGuard

from dynaguard.scan.deps import deps as level_deps
from dynaguard.scan.deps import kw
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo, Include, Route, Router
from dynaguard.scan.symbols import ModuleInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

Constant = str | bool | int | float | None
# a constant, or a project's class (`update_schema=ItemPatch`), module-level function
# (`auth=current_user`) or module-level name (`db.ITEMS_TABLE`, read from the environment:
# named, not folded)
Bound = Constant | ClassRef | FunctionInfo | tuple[str, str]
Named = ClassRef | FunctionInfo | tuple[str, str]


def specialize(project: Project) -> None:
    """Give each include of a factory-made router its own router and endpoint copies."""
    made = [inc for inc in project.includes if _factory_of(project, inc) is not None]
    if not made:
        return
    routes: dict[str, list[Route]] = {}
    for route in project.routes:
        routes.setdefault(route.router or "", []).append(route)
    done: set[str] = set()
    includes: list[Include] = []
    named: dict[tuple[str, int, int], str] = {}  # each factory call's router, by its place
    for inc in project.includes:
        factory = _factory_of(project, inc)
        if factory is None or inc.made is None:
            includes.append(inc)
            continue
        caller = project.modules[inc.made_in[0]]
        host = caller.functions.get(inc.made_in[1].rstrip(".")) if inc.made_in[1] else None
        home = project.module_of(factory)
        bound = {
            k: v
            for k, v in _bindings(project, factory, inc.made, Frame(host, caller)).items()
            if _nameable(project, v, home)
        }
        place = (caller.name, inc.made.lineno, inc.made.col_offset)
        # named by the call's rank in its module, not its line: fingerprints hash the
        # copies' names, and must survive edits that only move code
        rank = sum(1 for q in named.values() if q.startswith(f"{inc.child}@{caller.name}#"))
        qual = named.setdefault(place, f"{inc.child}@{caller.name}#{rank + 1}")
        if qual not in project.routers:  # one call included twice: its routes made once
            _router(project, factory, inc.child, qual, bound)
            for route in routes.get(inc.child, []):
                fn = _copy(project, factory, project.functions[route.function], bound, qual)
                project.routes.append(_moved(project, route, qual, fn, bound))
        includes.append(replace(inc, child=qual))
        done.add(inc.child)
    project.includes[:] = includes
    kept = [inc.child for inc in includes]
    # a factory router no include names any more: its generic routes are the copies now
    gone = {r for r in done if r not in kept}
    for route in [r for r in project.routes if r.router in gone]:
        project.routes.remove(route)
        if route.function in project.functions:  # one endpoint may have two routes
            fn = project.functions.pop(route.function)
            project.modules[fn.module].functions.pop(fn.qualname.partition(":")[2], None)


def _factory_of(project: Project, inc: Include) -> FunctionInfo | None:
    """The factory whose call made the included router, when the router is its local."""
    if inc.made is None or inc.made_in[0] not in project.modules:
        return None
    fn = project.resolve_expr(inc.made.func, project.modules[inc.made_in[0]])
    if isinstance(fn, FunctionInfo) and inc.child.startswith(f"{fn.qualname}."):
        return fn
    return None


def _bindings(
    project: Project, factory: FunctionInfo, call: ast.Call, frame: Frame
) -> dict[str, Bound]:
    """The factory's parameters the call binds to a constant or a project class, or
    leaves at a constant default (`owner_field: str | None = None`)."""
    a = factory.node.args
    positional = [*a.posonlyargs, *a.args]
    given: dict[str, ast.expr] = {p.arg: v for p, v in zip(positional, call.args, strict=False)}
    if any(isinstance(v, ast.Starred) for v in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return {}  # `*args`/`**kwargs`: which parameter gets what is unknown
    given.update({k.arg: k.value for k in call.keywords if k.arg is not None})
    out: dict[str, Bound] = {}
    for param in factory.params:
        value = given.get(param.arg)
        if value is None:
            default = factory.default_of(param.arg)
            if isinstance(default, ast.Constant) and _plain(default.value):
                out[param.arg] = default.value
            continue
        if isinstance(value, ast.Constant) and not isinstance(value.value, str):
            if _plain(value.value):
                out[param.arg] = value.value
            continue
        text = project.constant_text(value, frame)
        sym = (
            project.resolve_expr(value, frame.module)
            if text is None
            and isinstance(value, ast.Name | ast.Attribute)
            # a name in a function may be its local: only module-level names resolve here
            and (frame.fn is None or isinstance(value, ast.Attribute))
            else None
        )
        if text is not None:
            out[param.arg] = text
        elif isinstance(sym, ClassRef | tuple) or (
            isinstance(sym, FunctionInfo) and sym.class_name is None
        ):
            out[param.arg] = sym
    return out


def _plain(value: object) -> TypeGuard[Constant]:
    """A constant the copy can hold and fold: a string, a number, a bool or None."""
    return value is None or isinstance(value, str | bool | int | float)


def _router(
    project: Project, factory: FunctionInfo, child: str, qual: str, bound: dict[str, Bound]
) -> None:
    """The per-call router: the factory's, its `prefix=` and `dependencies=` read with the
    call's arguments (`APIRouter(prefix=prefix, dependencies=[Depends(auth)])`)."""
    base = project.routers[child]
    prefix, deps = base.prefix, list(base.dependencies)
    for stmt in factory.node.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if value is not None and stmt.lineno == base.line:
            made = _Fold(bound).visit(copy.deepcopy(value))
            if not isinstance(made, ast.Call):
                continue
            given = kw(made, "prefix")
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                prefix = given.value
            if kw(made, "dependencies") is not None:
                deps = level_deps(
                    project, project.module_of(factory), kw(made, "dependencies"), "router"
                )
    project.routers[qual] = Router(qual, False, prefix, deps, base.path, base.line)


def _moved(
    project: Project, route: Route, router: str, fn: FunctionInfo, bound: dict[str, Bound]
) -> Route:
    """The route on the per-call router, its endpoint the per-call copy, and its own
    `dependencies=` read with the call's arguments."""
    deps = list(route.dependencies)
    declared = route.declared
    if declared is not None and kw(declared, "dependencies") is not None:
        made = _Fold(bound).visit(copy.deepcopy(declared))
        if isinstance(made, ast.Call):
            deps = level_deps(
                project, project.modules[fn.module], kw(made, "dependencies"), "route"
            )
    return Route(
        route.methods,
        route.path,
        router,
        fn.qualname,
        [],
        deps,
        route.line,
        route.file,
        declared=route.declared,
    )


def _copy(
    project: Project, factory: FunctionInfo, fn: FunctionInfo, bound: dict[str, Bound], at: str
) -> FunctionInfo:
    """The endpoint as the call makes it: a copy with the factory's locals it reads first,
    the bound parameters replaced by their constants and the decided branches cut."""
    node = copy.deepcopy(fn.node)
    own = {a.arg for a in _all_args(node)} | _stored(node)
    node.body[:0] = _prologue(factory, fn.node, own)
    node = _Fold({k: v for k, v in bound.items() if k not in own}).visit(node)
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    qual = f"{fn.qualname}@{at.rpartition('@')[2]}"
    made = FunctionInfo(qual, fn.module, fn.name, None, node, fn.path, copy_of=fn.qualname)
    project.functions[qual] = made
    project.modules[fn.module].functions[qual.partition(":")[2]] = made
    return made


def _nameable(project: Project, value: Bound, mod: ModuleInfo) -> bool:
    """A class, function or global is written in the copy by its dotted path: only when
    that names it in the factory's module too."""
    if not isinstance(value, ClassRef | FunctionInfo | tuple):
        return True
    found = project.resolve_expr(_dotted(value, ast.Name("x")), mod)
    return found is value if isinstance(value, FunctionInfo) else found == value


def _dotted(sym: Named, at: ast.expr) -> ast.expr:
    """`pkg.models.ItemPatch` at the place of `at`, each level keyed apart (node_key)."""
    if isinstance(sym, tuple):
        module, name = sym
    else:
        module, name = sym.qualname.split(":", 1)
    parts = [*module.split("."), *name.split(".")]
    expr: ast.expr = ast.copy_location(ast.Name(parts[0], ast.Load()), at)
    for depth, part in enumerate(parts[1:]):
        expr = ast.copy_location(ast.Attribute(expr, part, ast.Load()), at)
        vars(expr)["dg_tag"] = f":bound{depth}"
    vars(expr)["dg_tag"] = ""  # the whole path stands where the name was
    return expr


def _all_args(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = node.args
    extra = [x for x in (a.vararg, a.kwarg) if x is not None]
    return [*a.posonlyargs, *a.args, *a.kwonlyargs, *extra]


def _stored(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _prologue(
    factory: FunctionInfo, inner: ast.FunctionDef | ast.AsyncFunctionDef, own: set[str]
) -> list[ast.stmt]:
    """The factory's top-level assignments of the names the endpoint reads from it (and of
    the names those read), in the factory's order, copied."""
    simple = [
        s
        for s in factory.node.body
        if isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets)
    ]
    wanted = _loaded(inner) - own
    taken: list[ast.Assign] = []
    changed = True
    while changed:
        changed = False
        for stmt in simple:
            names = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if stmt not in taken and names & wanted:
                taken.append(stmt)
                wanted |= _loaded(stmt.value)
                changed = True
    return [copy.deepcopy(s) for s in simple if s in taken]


_EXITS = (ast.Return, ast.Raise)


class _Fold(ast.NodeTransformer):
    """Bound parameters to constants, then tests on constants decided: `if None and x:`
    is gone, `if "owner" and x:` is `if x:`, `if None: a else: b` is `b`."""

    def __init__(self, consts: dict[str, Bound]) -> None:
        self.consts = consts

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):  # a decided `if` inlined its return:
            block = getattr(node, name, None)  # what follows it is never run
            if isinstance(block, list):
                end = next((i for i, s in enumerate(block) if isinstance(s, _EXITS)), None)
                if end is not None:
                    del block[end + 1 :]
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if not (isinstance(node.ctx, ast.Load) and node.id in self.consts):
            return node
        value = self.consts[node.id]
        if isinstance(value, ClassRef | FunctionInfo | tuple):
            return _dotted(value, node)
        return ast.copy_location(ast.Constant(value), node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        stop = isinstance(node.op, ast.Or)  # the truthiness that ends the operation
        kept: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                if bool(value.value) is stop:
                    return (
                        value
                        if not kept
                        else ast.copy_location(ast.BoolOp(node.op, [*kept, value]), node)
                    )
                continue  # `"owner" and x`: x decides
            kept.append(value)
        if not kept:
            return node.values[-1]
        return kept[0] if len(kept) == 1 else ast.copy_location(ast.BoolOp(node.op, kept), node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant):
            return ast.copy_location(ast.Constant(not node.operand.value), node)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        sides = [node.left, *node.comparators]
        if len(sides) == 2 and all(isinstance(s, ast.Constant) for s in sides):
            left, right = (s.value for s in sides if isinstance(s, ast.Constant))
            if isinstance(node.ops[0], ast.Is | ast.IsNot) and right is None:
                return ast.copy_location(
                    ast.Constant((left is None) == isinstance(node.ops[0], ast.Is)), node
                )
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node

    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        if not isinstance(node.test, ast.Constant):
            return node
        return (node.body if node.test.value else node.orelse) or [
            ast.copy_location(ast.Pass(), node)
        ]
