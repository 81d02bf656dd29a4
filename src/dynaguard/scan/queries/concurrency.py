"""What runs on the event loop: synchronous DynamoDB calls reached from `async def`.

`blocking_calls(project)` answers DG111's question once: every synchronous boto3/PynamoDB
call that an `async def` (a route, an async dependency, a security class's `async def
__call__`, a middleware's `dispatch`, an async service method) runs on the event loop,
either itself or through synchronous project helpers. A call inside the async function is
located at the call; a helper chain is located where the async function calls the first
synchronous helper (that is the line to change: offload it, or make the caller sync), with
the chain down to the DynamoDB call as evidence.

Not blocking: calls handed to `asyncio.to_thread`, `run_in_threadpool` or
`loop.run_in_executor` (the index marks those call sites offloaded), calls inside lambdas,
nested defs or coroutines handed to `gather`/`create_task`, awaited calls and handles of
an async library (aioboto3, aiobotocore), and start-up/shutdown hooks.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass

from dynaguard.core.findings import JSON, Confidence, Finding
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import (
    CallSite,
    ClassRef,
    DynamoCall,
    FunctionInfo,
    Handle,
    HandleKind,
    Route,
)
from dynaguard.scan.report import at_call
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes, signature, walk

__all__ = ["Blocking", "blocking_calls", "blocking_finding"]

# Client methods that do no I/O when called.
NO_IO = frozenset(
    {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url", "close", "meta"}
)
# A call handed to these is a coroutine in disguise (its handle was not recognised as async).
SCHEDULERS = frozenset({"gather", "create_task", "ensure_future", "wait_for", "shield", "wait"})
ASYNC_LIBS = ("aioboto3", "aiobotocore", "types_aiobotocore", "aiodynamo")
SYNC_LIBS = frozenset({"boto3", "botocore"})


@dataclass(frozen=True, slots=True, eq=False)
class Blocking:
    """A synchronous DynamoDB call that an async function runs on the event loop.

    `chain` runs from the async function down to the function holding `call`; `at` is the
    async function's call of the first synchronous helper (None: `call` is in it directly).
    """

    call: DynamoCall
    chain: tuple[FunctionInfo, ...]
    at: ast.Call | None
    route: Route | None
    served: bool  # a route or middleware is seen to reach the async function
    service: str = "dynamodb"  # another boto3 client's service (`cognito-idp`, `s3`...)

    @property
    def library(self) -> str:
        """`PynamoDB`, `boto3`, or `boto3 <service>` for another service's client."""
        if self.call.handle.kind.value.startswith("pynamodb"):
            return "PynamoDB"
        return "boto3" if self.service == "dynamodb" else f"boto3 {self.service}"


def blocking_calls(project: Project) -> list[Blocking]:
    """Every sync DynamoDB call reached on the event loop, at the line that puts it there."""
    g = _Graph(project)
    found: list[Blocking] = []
    # multi-source search up the sync call graph: each sync function that reaches a
    # blocking call keeps its shortest way down (next function, the call)
    down: dict[str, tuple[FunctionInfo | None, DynamoCall]] = {}
    queue: deque[FunctionInfo] = deque()
    others = _other_clients(project)
    calls = sorted([*project.calls, *others], key=lambda c: (c.path, c.line, c.node.col_offset))
    for call in calls:
        fn = project.functions.get(call.function or "")
        if fn is None or not g.blocking(fn, call):
            continue
        if fn.is_async:
            if not g.startup(fn):
                found.append(g.make(call, (fn,), None, others.get(call)))
        elif fn.qualname not in down:
            down[fn.qualname] = (None, call)
            queue.append(fn)
    reported: set[int] = set()
    while queue:
        fn = queue.popleft()
        for cs in g.callers.get(fn.qualname, []):
            caller = project.functions.get(cs.caller or "")
            if caller is None or cs.offloaded or g.nested(caller, cs.node):
                continue
            if not caller.is_async:
                if caller.qualname not in down:
                    down[caller.qualname] = (fn, down[fn.qualname][1])
                    queue.append(caller)
            elif id(cs.node) not in reported and not g.startup(caller):
                reported.add(id(cs.node))
                chain = [caller, fn]
                while (step := down[chain[-1].qualname][0]) is not None:
                    chain.append(step)
                call = down[fn.qualname][1]
                found.append(g.make(call, tuple(chain), cs.node, others.get(call)))
    found.sort(key=lambda b: (b.chain[0].path, _line(b), b.call.path, b.call.line))
    return found


def blocking_finding(
    rule: RuleMeta,
    b: Blocking,
    message: str,
    *,
    evidence: dict[str, JSON],
    confidence: Confidence | None = None,
) -> Finding:
    """A finding at the line that runs `b` on the event loop (the call, or the helper's call)."""
    if b.at is None:
        return at_call(rule, b.call, b.route, message, evidence=evidence, confidence=confidence)
    entry, helper, call = b.chain[0], b.chain[1], b.call
    ev: dict[str, JSON] = {
        "operation": call.operation,
        "call": f"{call.path}:{call.line}",
        "function": entry.qualname,
    }
    if call.handle.table:
        ev["table"] = call.handle.table
    ev.update(evidence)
    return rule.finding(
        message=message,
        anchor=f"{entry.qualname}->{helper.qualname}:{call.operation}:{call.handle.table or ''}",
        path=entry.path,
        line=b.at.lineno,
        column=b.at.col_offset + 1,
        end_line=b.at.end_lineno or b.at.lineno,
        route=b.route.label if b.route else None,
        evidence=ev,
        confidence=confidence,
    )


def _line(b: Blocking) -> int:
    return b.at.lineno if b.at is not None else b.call.line


def _startup(fn: FunctionInfo) -> bool:
    """`@app.on_event("startup")` / `"shutdown"` hooks run before or after serving: blocking
    there delays start-up, it never stalls a request."""
    for dec in fn.node.decorator_list:
        if (
            isinstance(dec, ast.Call)
            and isinstance(dec.func, ast.Attribute)
            and dec.func.attr == "on_event"
            and any(
                isinstance(a, ast.Constant) and a.value in ("startup", "shutdown") for a in dec.args
            )
        ):
            return True
    return False


def _other_clients(project: Project) -> dict[DynamoCall, str]:
    """Calls on module-level boto3 clients of other services (`cognito = boto3.client(
    "cognito-idp")`, then `cognito.sign_up(...)`): as blocking as DynamoDB's, and recorded
    in the same shape (operation = method), with their service."""
    clients: dict[tuple[str, str], str] = {}
    for mod in project.modules.values():
        for name, values in mod.globals.items():
            for value in values:
                service = _boto3_service(value, mod)
                if service is not None:
                    clients[(mod.name, name)] = service
    out: dict[DynamoCall, str] = {}
    if not clients:
        return out
    homes = {m for m, _ in clients}
    seen = homes | {
        name
        for name, mod in project.modules.items()
        if any(
            t.split(":")[0].rsplit(".", 1)[0] in homes or t in homes for t in mod.imports.values()
        )
    }
    for fn in [f for f in project.functions.values() if f.module in seen]:
        mod = project.module_of(fn)
        local: set[str] | None = None
        for node in walk(fn.node):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name | ast.Attribute)
            ):
                continue
            sym = project.resolve_expr(node.func.value, mod)  # `cognito`, `clients.cognito`
            if not (isinstance(sym, tuple) and sym in clients):
                continue
            if local is None:  # a local or parameter of the same name hides the global
                local = set(project.locals_of(Frame(fn, mod)).assigns)
                local |= {a.arg for a in fn.params}
            head: ast.expr = node.func.value
            while isinstance(head, ast.Attribute):
                head = head.value
            if not (isinstance(head, ast.Name) and head.id in local):
                attr = node.func.attr
                handle = Handle(HandleKind.CLIENT, None, False, False)
                call = DynamoCall(fn.qualname, fn.module, fn.path, node, attr, attr, handle, False,
                                  {}, [], [])  # fmt: skip
                out[call] = clients[sym]
    return out


def _boto3_service(expr: ast.expr, mod: ModuleInfo) -> str | None:
    """The service of `boto3.client("s3")` / `boto3.Session().client(...)` (not DynamoDB)."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "client"
        and expr.args
        and isinstance(expr.args[0], ast.Constant)
        and isinstance(expr.args[0].value, str)
        and expr.args[0].value != "dynamodb"
    ):
        return None
    base = expr.func.value
    base = base.func if isinstance(base, ast.Call) else base
    return expr.args[0].value if (dotted(base, mod) or "").split(".")[0] == "boto3" else None


def _dependency_callable(project: Project, target: str) -> FunctionInfo | None:
    """What FastAPI calls for a dependency: a function, or the `__call__` of a class
    instance (`Depends(Checker("admin"))`, or `checker = Checker()` then `Depends(checker)`)."""
    if target in project.functions:
        return project.functions[target]
    if target.endswith("()") and target[:-2] in project.classes:
        return project.method(target[:-2], "__call__")
    mod_name, _, name = target.partition(":")
    mod = project.modules.get(mod_name)
    if mod is None:
        return None
    for value in mod.globals.get(name, []):
        if isinstance(value, ast.Call):
            cls = project.resolve_expr(value.func, mod)
            if isinstance(cls, ClassRef):
                return project.method(cls.qualname, "__call__")
    return None


NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)  # run elsewhere (or later)


def _scheduler(call: ast.Call) -> bool:
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return name in SCHEDULERS


class _Graph:
    """The reverse call graph, and which nodes sit inside nested defs or lambdas."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self.callers: dict[str, list[CallSite]] = {}
        for caller in sorted(project.callsites, key=lambda c: c or ""):
            for cs in project.callsites[caller]:
                self.callers.setdefault(cs.callee, []).append(cs)
        self._nested: dict[str, set[int]] = {}
        self._used: dict[str, set[int]] = {}
        self._deps: dict[str, Route] | None = None
        self._lifespans: set[str] | None = None
        self.async_modules = {
            name
            for name, mod in project.modules.items()
            if any(t.split(".")[0].startswith(ASYNC_LIBS) for t in mod.imports.values())
        }
        self.sync_only = not self.async_modules and any(
            t.split(".")[0] in SYNC_LIBS
            for mod in project.modules.values()
            for t in mod.imports.values()
        )

    def startup(self, fn: FunctionInfo) -> bool:
        """A start-up/shutdown hook: `@app.on_event(...)`, or the `lifespan=` of an app."""
        if self._lifespans is None:
            self._lifespans = set()
            for mod in self.p.modules.values():
                for values in mod.globals.values():
                    for value in values:
                        for kw in value.keywords if isinstance(value, ast.Call) else []:
                            found = self.p.resolve_expr(kw.value, mod)
                            if kw.arg == "lifespan" and isinstance(found, FunctionInfo):
                                self._lifespans.add(found.qualname)
        return fn.qualname in self._lifespans or _startup(fn)

    def dependents(self) -> dict[str, Route]:
        """The first route using each dependency callable, security class instances (their
        `__call__`, which FastAPI runs) included."""
        if self._deps is None:
            self._deps = {}
            for route in self.p.routes:
                for dep in route.all_dependencies:
                    fn = _dependency_callable(self.p, dep.target or "")
                    if fn is not None:
                        self._deps.setdefault(fn.qualname, route)
        return self._deps

    def blocking(self, fn: FunctionInfo, call: DynamoCall) -> bool:
        """A synchronous call doing I/O, run where it is written (not in a nested def)."""
        h = call.handle
        if call.awaited or h.async_capable or call.method in NO_IO or self.nested(fn, call.node):
            return False
        if h.kind.value.startswith("pynamodb"):
            return True  # PynamoDB has no async API
        if h.kind is HandleKind.UNKNOWN and self.sync_only:
            # un-awaited in a boto3-only project, a DynamoDB-shaped call can be nothing else
            return True
        if h.kind is HandleKind.UNKNOWN or fn.module in self.async_modules:
            # an object of unknown library (or one typed by annotation beside an async
            # library): sync when its result is used at once or dropped, since a coroutine
            # can be neither subscripted nor left un-awaited; one kept may be gathered later
            return id(call.node) in self.used_at_once(fn)
        return True

    def used_at_once(self, fn: FunctionInfo) -> set[int]:
        """Calls of fn whose result is used as a value at once (`t.get_item(...)["Item"]`,
        iterated) or dropped (an expression statement)."""
        ids = self._used.get(fn.qualname)
        if ids is None:
            nodes = walk(fn.node)
            ids = {
                id(n.value)
                for n in nodes
                if isinstance(n, ast.Subscript | ast.Attribute | ast.Expr)
                and isinstance(n.value, ast.Call)
            }
            ids |= {id(n.iter) for n in nodes if isinstance(n, ast.For)}
            self._used[fn.qualname] = ids
        return ids

    def nested(self, fn: FunctionInfo, node: ast.AST) -> bool:
        """Whether a node of fn's body is inside a nested def or lambda (runs elsewhere)."""
        ids = self._nested.get(fn.qualname)
        if ids is None:
            ids = self._nested[fn.qualname] = set()
            # the body's defs and calls are in its locals (no walk of the whole function);
            # the signature's (decorators, defaults, annotations) are walked here
            body = self.p.locals_of(Frame(fn, self.p.module_of(fn)))
            head = [n for h in signature(fn.node) for n in nodes(h)]
            for sub in [*body.defs, *head]:
                if isinstance(sub, NESTED) and id(sub) not in ids:
                    ids.update(map(id, walk(sub)))
            for sub in [*body.calls, *head]:
                if isinstance(sub, ast.Call) and _scheduler(sub):
                    ids.update(map(id, sub.args))
        return id(node) in ids

    def make(
        self,
        call: DynamoCall,
        chain: tuple[FunctionInfo, ...],
        at: ast.Call | None,
        service: str | None = None,
    ) -> Blocking:
        """The record, with the route serving the async function (if any)."""
        entry = chain[0]
        route = (
            next(
                (
                    s.route
                    for s in self.p.sites(call)
                    if s.route is not None and entry in s.frame.chain()
                ),
                None,
            )
            or self.p.route_of(entry)
            or self.dependents().get(entry.qualname)
        )
        served = route is not None or any(m.function == entry.qualname for m in self.p.middlewares)
        return Blocking(call, chain, at, route, served, service or "dynamodb")
