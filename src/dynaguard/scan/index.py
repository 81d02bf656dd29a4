"""The project index: every fact the rules need, built once per scan.

How a rule queries it (rules never walk raw trees when a fact exists)::

    from dynaguard.scan.index import Project
    from dynaguard.scan.model import HandleKind

    def check(project: Project) -> Iterator[Finding]:
        for call in project.calls:                    # every DynamoDB call, all styles
            call.operation, call.method, call.handle  # put_item / Table vs client / async?
            call.args["ConditionExpression"]          # raw argument expressions
            for site in project.sites(call):          # one per route that reaches it
                site.route                            # Route: label "PUT /items/{id}", auth
                site.frame                            # the call chain route -> ... -> call
                value = project.values.arg(call, "Key", site.frame)
                value.origins()                       # {Origin.PATH, Origin.PRINCIPAL, ...}

Facts, by attribute of `Project`:

- `modules`, `functions`, `classes`: symbol tables (`ModuleInfo`, `FunctionInfo`,
  `ClassInfo`; Pydantic models have `is_model` and `fields`, PynamoDB models
  `is_pynamodb`, `version_attribute`, `table_name`).
- `routers`, `includes`, `routes`: FastAPI apps/routers, include_router edges, and path
  operations with `full_paths`, `params` (source, body model, dependency), every-level
  `all_dependencies`, `authenticated`/`auth_evidence`; `app_has_auth` says whether the
  project authenticates anywhere (routes or middleware).
- `calls`: `DynamoCall`s (boto3 resource Table, client, table.meta.client, aioboto3,
  aiobotocore, PynamoDB); every method called on a known DynamoDB handle is recorded,
  so client-only methods on a Table show up with `handle.kind is HandleKind.TABLE`.
- `callsites`: the call graph by caller qualname (`CallSite.awaited`, `.offloaded` for
  to_thread / run_in_threadpool / run_in_executor); `reach.reachable_routes(project, fn)`.
- `exception_handlers`, `middlewares` (BaseHTTPMiddleware.dispatch, `@app.middleware`).
- `values` (provenance.Values): where a value comes from, through helpers, classes,
  f-strings and dict literals, following the call chain of a `Frame`; `values.text()`
  gives statically built strings (expression text for the reserved-word rule). The
  value model (`Origin`, `Source`, `Value.fields/dumps/strings`) is in value.py.
- `types` (infer.Types): the abstract type of an expression (`Handle` for DynamoDB
  objects, `ClassRef` for project instances); deps.py says which dependencies
  authenticate (`is_auth`) or restrict a route to administrators (`privileged`).
- `flow.events(project, route)`: the ordered reads, checks (if/assert on a read item)
  and writes one request performs, dependencies first, helpers inlined;
  `flow.condition/key_value/item_value(project, call, frame)` per call.
- `unknown_shapes`: (path, line, message) of code the index could not read (errors).

Rules: one module each under `dynaguard.scan.rules` (dgNNN_*.py), registered with
`core.registry.register`, yielding `dynaguard.scan.report.at_call(meta, call, ...)`.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable
from dataclasses import dataclass, field

from dynaguard.core.config import Config
from dynaguard.scan import calls, fastapi
from dynaguard.scan import locals as loc
from dynaguard.scan.authn import Behaviour
from dynaguard.scan.deps import depends_of
from dynaguard.scan.fixpoint import CallKey, Solver
from dynaguard.scan.frames import Event, Frame, Site
from dynaguard.scan.iac.model import IacFacts
from dynaguard.scan.infer import Types, annotation_of
from dynaguard.scan.interfaces import implementation
from dynaguard.scan.model import (
    CallSite,
    ClassInfo,
    ClassRef,
    DynamoCall,
    ExceptionHandler,
    FunctionInfo,
    Handle,
    Include,
    Middleware,
    Route,
    Router,
)
from dynaguard.scan.protocols import Symbol, TypesAPI
from dynaguard.scan.provenance import Values
from dynaguard.scan.symbols import MODEL_BASES, PYNAMO_BASES, ModuleInfo, build_module, dotted


@dataclass(eq=False)
class Project:
    """Everything the scanner knows about the scanned code."""

    config: Config
    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    routers: dict[str, Router] = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    calls: list[DynamoCall] = field(default_factory=list)
    callsites: dict[str | None, list[CallSite]] = field(default_factory=dict)
    exception_handlers: list[ExceptionHandler] = field(default_factory=list)
    middlewares: list[Middleware] = field(default_factory=list)
    unknown_shapes: list[tuple[str, int, str]] = field(default_factory=list)
    # (path, line, message) of requests whose events were cut: the run is incomplete
    truncated: list[tuple[str, int, str]] = field(default_factory=list)
    iac: IacFacts = field(default_factory=IacFacts)  # IAM grants read from IaC beside the code
    _locals: dict[str, loc.Locals] = field(default_factory=dict)
    _by_suffix: dict[str, list[str]] = field(default_factory=dict)
    _sites: dict[tuple[CallKey, str | None], list[Site]] = field(default_factory=dict)
    events_cache: dict[Hashable, list[Event]] = field(default_factory=dict)
    answers: dict[Hashable, object] = field(default_factory=dict)  # queries.memo.once
    syntax: dict[Hashable, object] = field(default_factory=dict)  # one function's own facts
    linked: bool = False  # routes, calls and call sites complete: values may be cached
    _calls_by_fn: dict[str | None, list[DynamoCall]] = field(default_factory=dict)
    _indexed: int = 0
    _route_by_fn: dict[str, Route] = field(default_factory=dict)
    _nearest: dict[tuple[str, str], str] = field(default_factory=dict)  # find_module's choices
    # resolve_dotted's answers: symbol tables change only in add_module, which empties it
    _dotted: dict[tuple[str, str], Symbol] = field(default_factory=dict)
    _by_prefix: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    _routes_indexed: int = 0
    method_names: set[str] = field(default_factory=set)  # every method name of a project class
    # callers per callee and routes per endpoint, built by reach.reachable_routes on first use
    reach_index: tuple[dict[str, list[str]], dict[str, list[int]]] | None = None

    def __post_init__(self) -> None:
        self.solver = Solver()  # every recursive query: values, types, libraries
        self.types = Types(self)
        self.values = Values(self)
        self.behaviour = Behaviour(self)

    # -- building -------------------------------------------------------------------

    def add_module(self, name: str, path: str, tree: ast.Module) -> None:
        """Add one parsed module's symbol table."""
        mod = build_module(name, path, tree)
        self.modules[name] = mod
        self._nearest.clear()
        self._by_prefix.clear()
        self._dotted.clear()
        parts = name.split(".")
        for i in range(len(parts)):
            self._by_suffix.setdefault(".".join(parts[i:]), []).append(name)
        for fn in mod.functions.values():
            self.functions[fn.qualname] = fn
        for cls in mod.classes.values():
            self.classes[cls.qualname] = cls

    def link(self) -> None:
        """Resolve class kinds across modules, then the FastAPI and DynamoDB facts."""
        for cls in self.classes.values():
            bases = {b.qualname for b in self.mro(cls.qualname)[1:]}
            written = {b for c in self.mro(cls.qualname) for b in c.bases}
            cls.is_model = bool(written & MODEL_BASES) or any(
                self.classes[b].is_model for b in bases if b in self.classes
            )
            cls.is_pynamodb = bool(written & PYNAMO_BASES) or any(
                b.endswith(".Model") and "pynamodb" in b for b in written
            )
        self.method_names = {m for cls in self.classes.values() for m in cls.methods}
        fastapi.collect(self)
        calls.collect(self)
        # values that read routes or calls while they were collected were not kept by the
        # solver (Values marks them volatile): nothing to rebuild here
        self.linked = True
        self.events_cache.clear()

    # -- lookups --------------------------------------------------------------------

    def module_of(self, fn: FunctionInfo) -> ModuleInfo:
        """The module that defines a function."""
        return self.modules[fn.module]

    def locals_of(self, frame: Frame) -> loc.Locals:
        """The (cached) assignment tables of the frame's function or module."""
        key = frame.fn.qualname if frame.fn else frame.module.name
        found = self._locals.get(key)
        if found is None:
            found = loc.collect(frame.fn.node if frame.fn else frame.module.tree)
            self._locals[key] = found
        return found

    def find_module(self, name: str, near: str) -> ModuleInfo | None:
        """A module by dotted name; suffix matches prefer the one closest to `near`."""
        if name in self.modules:
            return self.modules[name]
        found = self._by_suffix.get(name)
        if not found:
            return None
        if len(found) == 1:
            return self.modules[found[0]]
        # a monorepo of similar services has one `app.db` per service: choosing among them
        # for every name of every module was quadratic in the number of services
        best = self._nearest.get((name, near))
        if best is None:
            best = self._closest(name, near, found)
            self._nearest[(name, near)] = best
        return self.modules[best]

    def _closest(self, name: str, near: str, found: list[str]) -> str:
        """The candidate sharing the longest dotted prefix with `near`, then the shortest,
        then the first: the candidates indexed by prefix once, not compared per module."""
        index = self._by_prefix.get(name)
        if index is None:
            index = self._by_prefix[name] = {}
            for m in found:
                parts = tuple(m.split("."))
                for k in range(len(parts) + 1):
                    cur = index.get(parts[:k])
                    if cur is None or len(m) < len(cur):
                        index[parts[:k]] = m
        parts = tuple(near.split("."))
        for k in range(len(parts), 0, -1):
            best = index.get(parts[:k])
            if best is not None:
                return best
        return index[()]

    def resolve_name(
        self, name: str, mod: ModuleInfo, seen: frozenset[str] = frozenset()
    ) -> Symbol:
        """What a bare name means in a module: function, class, global, module or dotted text."""
        if name in mod.functions and mod.functions[name].class_name is None:
            return mod.functions[name]
        if name in mod.classes:
            return ClassRef(mod.classes[name].qualname)
        if name in mod.globals:
            return (mod.name, name)
        if name in mod.imports:
            return self.resolve_dotted(mod.imports[name], mod.name, seen)
        return None

    def resolve_dotted(self, target: str, near: str, seen: frozenset[str] = frozenset()) -> Symbol:
        """A dotted name (`app.repo.ItemRepo`) to a project symbol, else the text itself.
        Re-exports are followed however many; `seen` stops only an import cycle."""
        if seen:
            return self._resolve_dotted(target, near, seen)
        key = (target, near)
        if key not in self._dotted:
            self._dotted[key] = self._resolve_dotted(target, near, seen)
        return self._dotted[key]

    def _resolve_dotted(self, target: str, near: str, seen: frozenset[str]) -> Symbol:
        if target in seen:
            return target
        seen = seen | {target}
        found = self.find_module(target, near)
        if found is not None:
            return found.name
        head, _, last = target.rpartition(".")
        owner = self.find_module(head, near) if head else None
        if owner is not None:
            sym = self.resolve_name(last, owner, seen)
            return sym if sym is not None else target
        if head:  # a.b.C.method: a class attribute of a project class
            inner = self.resolve_dotted(head, near, seen)
            if isinstance(inner, ClassRef) and last in self.classes[inner.qualname].methods:
                return self.functions[self.classes[inner.qualname].methods[last]]
        return target

    def resolve_expr(self, expr: ast.expr, mod: ModuleInfo) -> Symbol:
        """A Name/Attribute expression to a symbol (`repo.ItemRepo`, `items.router`)."""
        # Iterative, innermost first: a crafted `a.b.b.b...` chain nests as deep as it is
        # long, and recursion would end in RecursionError for the whole rule.
        chain: list[ast.Attribute] = []
        while isinstance(expr, ast.Attribute):
            chain.append(expr)
            expr = expr.value
        base = self.resolve_name(expr.id, mod) if isinstance(expr, ast.Name) else None
        for node in reversed(chain):
            base = self._resolve_attribute(base, node, mod)
        return base

    def _resolve_attribute(self, base: Symbol, expr: ast.Attribute, mod: ModuleInfo) -> Symbol:
        """`expr` (= base.attr) given what its base resolved to."""
        if isinstance(base, str) and base in self.modules:
            sym = self.resolve_name(expr.attr, self.modules[base])
            return sym if sym is not None else f"{base}.{expr.attr}"
        if isinstance(base, ClassRef):
            meth = self.classes[base.qualname].methods.get(expr.attr)
            return self.functions[meth] if meth else None
        d = dotted(expr, mod)
        return self.resolve_dotted(d, mod.name) if d else None

    def mro(self, cls_qual: str) -> list[ClassInfo]:
        """A project class and its project base classes, depth first."""
        out: list[ClassInfo] = []
        todo = [cls_qual]
        while todo and len(out) < 16:
            q = todo.pop(0)
            cls = self.classes.get(q)
            if cls is None or cls in out:
                continue
            out.append(cls)
            mod = self.modules[cls.module]
            for b in cls.node.bases:
                # `class Accounts(BaseTable[Account])`: the subscripted generic is its base
                sym = self.resolve_expr(b.value if isinstance(b, ast.Subscript) else b, mod)
                if isinstance(sym, ClassRef):
                    todo.append(sym.qualname)
        return out

    def method(self, cls_qual: str, name: str) -> FunctionInfo | None:
        """A method looked up through the project base classes (a stub: `interfaces`)."""
        for cls in self.mro(cls_qual):
            if name in cls.methods:
                return implementation(self, cls_qual, cls, self.functions[cls.methods[name]])
        return None

    def resolve_call_target(
        self, call: ast.Call, frame: Frame, types: TypesAPI
    ) -> FunctionInfo | ClassRef | None:
        """The project function (or class, for a constructor) that a call runs."""
        f = call.func
        if isinstance(f, ast.Name):
            sym = self.resolve_name(f.id, frame.module)
            return sym if isinstance(sym, FunctionInfo | ClassRef) else None
        if not isinstance(f, ast.Attribute):
            return None
        recv = types.of(f.value, frame)
        if isinstance(recv, ClassRef):
            return self.method(recv.qualname, f.attr)
        if isinstance(recv, Handle) and recv.table in self.classes:  # a PynamoDB model's own
            return self.method(recv.table, f.attr)  # method (`post.publish()`)
        sym = self.resolve_expr(f, frame.module)
        return sym if isinstance(sym, FunctionInfo | ClassRef) else None

    def dependency_of(self, fn: FunctionInfo, param: str) -> FunctionInfo | None:
        """The function behind `p = Depends(f)` / `p: Annotated[X, Depends(f)]` (or alias)."""
        mod = self.module_of(fn)
        exprs = [fn.default_of(param), annotation_of(fn, param)]
        for expr in exprs:
            found = depends_of(self, mod, expr)
            if found is not None and found[0].args:
                # an alias imported from another module names its callable there
                sym = self.resolve_expr(found[0].args[0], found[1])
                if isinstance(sym, FunctionInfo):
                    return sym
                if isinstance(sym, ClassRef):
                    return self.method(sym.qualname, "__call__")
        return None

    def depends_call(
        self, expr: ast.expr, mod: ModuleInfo, seen: frozenset[tuple[str, str]] = frozenset()
    ) -> ast.Call | None:
        """The Depends()/Security() call in a default, an Annotated[...] or an alias of one
        (aliases of aliases too; `seen` stops only an alias cycle)."""
        if isinstance(expr, ast.Call):
            name = (dotted(expr.func, mod) or "").rsplit(".", 1)[-1]
            return expr if name in ("Depends", "Security") else None
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Tuple):
            for elt in expr.slice.elts[1:]:
                found = self.depends_call(elt, mod, seen)
                if found is not None:
                    return found
        if isinstance(expr, ast.Name):
            sym = self.resolve_name(expr.id, mod)
            if isinstance(sym, tuple) and sym not in seen:  # X = Annotated[U, Depends(...)]
                owner = self.modules[sym[0]]
                for value in owner.globals.get(sym[1], []):
                    found = self.depends_call(value, owner, seen | {sym})
                    if found is not None:
                        return found
        return None

    def constant_text(self, expr: ast.expr, frame: Frame) -> str | None:
        """A string the expression statically evaluates to (None when not static)."""
        return self.values.text(expr, frame)

    # -- reachability ---------------------------------------------------------------

    def sites(self, call: DynamoCall) -> list[Site]:
        """One Site per route that reaches the call (a route-less Site when none does)."""
        return self._sites.get((call.key, call.function)) or [Site(None, self._home_frame(call))]

    def _home_frame(self, call: DynamoCall) -> Frame:
        fn = self.functions.get(call.function or "")
        return Frame(fn, self.modules[call.module])

    def add_site(self, call: DynamoCall, site: Site) -> None:
        """Record a route's frame chain to a call (by function: factory copies share keys)."""
        self._sites.setdefault((call.key, call.function), []).append(site)

    def route_of(self, fn: FunctionInfo) -> Route | None:
        """The route whose endpoint is this function (the first one declared)."""
        # rules ask this per call and per function: a scan of every route each time made
        # large projects quadratic. Routes are only ever appended.
        if self._routes_indexed != len(self.routes):
            for r in self.routes[self._routes_indexed :]:
                self._route_by_fn.setdefault(r.function, r)
            self._routes_indexed = len(self.routes)
        return self._route_by_fn.get(fn.qualname)

    def calls_in(self, fn: FunctionInfo | None) -> list[DynamoCall]:
        """The DynamoDB calls written inside a function (module level: None)."""
        if self._indexed != len(self.calls):  # calls are only ever appended
            for c in self.calls[self._indexed :]:
                self._calls_by_fn.setdefault(c.function, []).append(c)
            self._indexed = len(self.calls)
        return self._calls_by_fn.get(fn.qualname if fn else None, [])

    @property
    def app_has_auth(self) -> bool:
        """Whether any route or middleware authenticates (else ownership rules stay quiet)."""
        return any(r.authenticated for r in self.routes) or any(m.is_auth for m in self.middlewares)
