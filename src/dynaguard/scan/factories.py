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
from typing import TYPE_CHECKING

from dynaguard.scan.deps import kw
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo, Include, Route, Router
from dynaguard.scan.symbols import ModuleInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

Constant = str | bool | int | float | None
# a constant, a project class (`update_schema=ItemPatch`) or a module-level name of the
# project (`db.ITEMS_TABLE`, read from the environment: named, not folded)
Bound = Constant | ClassRef | tuple[str, str]


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
    for inc in project.includes:
        factory = _factory_of(project, inc)
        if factory is None or inc.made is None:
            includes.append(inc)
            continue
        caller = project.modules[inc.made_in[0]]
        host = caller.functions.get(inc.made_in[1].rstrip(".")) if inc.made_in[1] else None
        bound = _bindings(project, factory, inc.made, Frame(host, caller))
        qual = f"{inc.child}@{caller.name}.{inc.made.lineno}"
        _router(project, factory, inc.child, qual, bound)
        for route in routes.get(inc.child, []):
            fn = _copy(project, factory, project.functions[route.function], bound, qual)
            project.routes.append(_moved(route, qual, fn))
        includes.append(
            Include(inc.parent, qual, inc.prefix, inc.dependencies, inc.mounted, inc.made)
        )
        done.add(inc.child)
    project.includes[:] = includes
    kept = [inc.child for inc in includes]
    # a factory router no include names any more: its generic routes are the copies now
    gone = {r for r in done if r not in kept}
    for route in [r for r in project.routes if r.router in gone]:
        project.routes.remove(route)
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
        if param.arg in given:
            value = given[param.arg]
            if isinstance(value, ast.Constant) and not isinstance(value.value, str):
                out[param.arg] = _plain(value.value)
                continue
            text = project.constant_text(value, frame)
            sym = (
                project.resolve_expr(value, frame.module)
                if text is None and isinstance(value, ast.Name | ast.Attribute)
                else None
            )
            if text is not None:
                out[param.arg] = text
            elif isinstance(sym, ClassRef) or (isinstance(sym, tuple) and frame.fn is None):
                out[param.arg] = sym
            continue
        default = factory.default_of(param.arg)
        if isinstance(default, ast.Constant):
            out[param.arg] = _plain(default.value)
    return out


def _plain(value: object) -> Constant:
    return value if isinstance(value, str | bool | int | float) else None


def _router(
    project: Project, factory: FunctionInfo, child: str, qual: str, bound: dict[str, Bound]
) -> None:
    """The per-call router: the factory's, its `prefix=` read with the call's constants."""
    base = project.routers[child]
    prefix = base.prefix
    for stmt in factory.node.body:
        if isinstance(stmt, ast.Assign) and stmt.lineno == base.line:
            given = kw(stmt.value, "prefix") if isinstance(stmt.value, ast.Call) else None
            if isinstance(given, ast.Name) and isinstance(bound.get(given.id), str):
                prefix = str(bound[given.id])
    project.routers[qual] = Router(
        qual, False, prefix, list(base.dependencies), base.path, base.line
    )


def _moved(route: Route, router: str, fn: FunctionInfo) -> Route:
    """The route on the per-call router, its endpoint the per-call copy."""
    return Route(
        route.methods,
        route.path,
        router,
        fn.qualname,
        [],
        list(route.dependencies),
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
    mod = project.modules[fn.module]
    consts = {k: v for k, v in bound.items() if k not in own and _nameable(project, v, mod)}
    node = _Fold(consts).visit(node)
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    qual = f"{fn.qualname}@{at.rpartition('@')[2]}"
    made = FunctionInfo(qual, fn.module, fn.name, None, node, fn.path, copy_of=fn.qualname)
    project.functions[qual] = made
    project.modules[fn.module].functions[qual.partition(":")[2]] = made
    return made


def _nameable(project: Project, value: Bound, mod: ModuleInfo) -> bool:
    """A class or global is written in the copy by its dotted path: only when that names
    it there too."""
    if not isinstance(value, ClassRef | tuple):
        return True
    return project.resolve_expr(_dotted(value, ast.Name("x")), mod) == value


def _dotted(sym: ClassRef | tuple[str, str], at: ast.expr) -> ast.expr:
    """`pkg.models.ItemPatch` at the place of `at`, each level keyed apart (node_key)."""
    module, name = sym.qualname.split(":", 1) if isinstance(sym, ClassRef) else sym
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
        if isinstance(value, ClassRef | tuple):
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
