"""Synchronous DynamoDB call on the event loop.

## What it does
Reports a synchronous boto3 (resource, client, `table.meta.client`) or PynamoDB call that
runs inside an `async def` — a route, an async dependency or auth callable, a
`BaseHTTPMiddleware.dispatch`, an async service or repository method — either directly or
through synchronous helpers it calls (a module-level repository singleton, a sync wrapper in
another module). Sync `def` routes and dependencies (FastAPI runs them in a thread pool),
calls offloaded with `asyncio.to_thread`, `run_in_threadpool` or `run_in_executor`, and
aioboto3/aiobotocore calls are not reported.
Start-up and shutdown hooks never stall a request (not reported); in a boto3-only project,
an untyped table's call inside `async def` can only be sync boto3 (reported).

## Why is this bad?
An `async def` runs on the event loop. A synchronous network call there blocks the loop for
the whole round trip to DynamoDB (plus retries and backoff): every other request the worker
serves waits. Under load the service's latency is the sum of everyone's DynamoDB calls, and
health checks time out. The "fake async" wrapper (an `async def` method around sync boto3)
looks non-blocking and is not.

## Example
```python
table = boto3.resource("dynamodb").Table("items")

@app.get("/items/{item_id}")
async def get_item(item_id: str):
    return table.get_item(Key={"id": item_id}).get("Item")
```

## Use instead
```python
@app.get("/items/{item_id}")
def get_item(item_id: str):  # FastAPI runs sync routes in its thread pool
    return table.get_item(Key={"id": item_id}).get("Item")
```
Or keep the route async and use aioboto3 (the guard library's `AsyncOwnedTable`), or
`await asyncio.to_thread(table.get_item, Key={"id": item_id})`.

## References
- https://fastapi.tiangolo.com/async/#path-operation-functions
- https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code
- https://github.com/terricain/aioboto3
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.index import Project
from dynaguard.scan.model import CallSite, DynamoCall, FunctionInfo, HandleKind, Route
from dynaguard.scan.report import at_call, meta
from dynaguard.scan.walk import walk

# Client methods that do no I/O when called.
NO_IO = frozenset(
    {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url", "close", "meta"}
)
# A call handed to these is a coroutine in disguise (its handle was not recognised as async).
SCHEDULERS = frozenset({"gather", "create_task", "ensure_future", "wait_for", "shield", "wait"})
MAX_UP = 6
ASYNC_LIBS = ("aioboto3", "aiobotocore", "types_aiobotocore", "aiodynamo")
SYNC_LIBS = frozenset({"boto3", "botocore"})


@register(
    id="DG111",
    name="blocking-call-in-async",
    title="Synchronous DynamoDB call on the event loop",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-400",
    owasp_api="API4:2023",
    fix="Make the route/dependency a plain `def` (FastAPI runs it in a thread pool), offload "
    "with `await asyncio.to_thread(...)`, or use aioboto3 (the guard library's AsyncOwnedTable).",
)
def check(project: Project) -> Iterator[Finding]:
    """Sync boto3/PynamoDB calls reached from async code through sync calls only."""
    m = meta("DG111")
    graph = Graph(project)
    for call in project.calls:
        fn = project.functions.get(call.function or "")
        if fn is None or not _sync_io(call, graph.sync_only) or graph.nested(fn, call.node):
            continue
        if fn.module in graph.async_modules and not graph.used_sync(fn, call):
            continue  # e.g. an aioboto3 Table typed by annotation, its coroutine gathered later
        chain = [fn] if fn.is_async else graph.async_callers(fn)
        if not chain or _startup(chain[0]):
            continue
        route = _route(project, call, chain[0])
        path = " -> ".join(_short(f) for f in chain)
        where = f"`async def {_short(chain[0])}`" + (f" (via {path})" if len(chain) > 1 else "")
        yield at_call(
            m,
            call,
            route,
            f"synchronous {_library(call)} `{call.method}` blocks the event loop inside "
            f"{where}: every other request on this worker waits for the DynamoDB round trip",
            evidence={"async_function": chain[0].qualname, "chain": [f.qualname for f in chain]},
            confidence=_confidence(project, chain, route),
        )


def _confidence(project: Project, chain: list[FunctionInfo], route: Route | None) -> Confidence:
    served = route is not None or any(m.function == chain[0].qualname for m in project.middlewares)
    if not served:
        return Confidence.LOW  # async code no route or middleware is seen to reach
    return Confidence.HIGH if len(chain) == 1 else Confidence.MEDIUM


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


def _sync_io(call: DynamoCall, sync_only: bool) -> bool:
    h = call.handle
    if call.awaited or h.async_capable:
        return False
    # A DynamoDB-shaped call on an object of unknown type is sync boto3 when the project
    # imports boto3 and no async library at all: un-awaited, it could be nothing else.
    if h.kind is HandleKind.UNKNOWN and not sync_only:
        return False
    return call.method not in NO_IO


def _short(fn: FunctionInfo) -> str:
    return fn.qualname.rpartition(":")[2]


def _library(call: DynamoCall) -> str:
    kind = call.handle.kind
    return "PynamoDB" if kind.value.startswith("pynamodb") else "boto3"


def _route(project: Project, call: DynamoCall, entry: FunctionInfo) -> Route | None:
    for site in project.sites(call):
        if site.route is not None and entry in site.frame.chain():
            return site.route
    return project.route_of(entry)


class Graph:
    """The reverse call graph, and which nodes sit inside nested defs or lambdas."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self.callers: dict[str, list[CallSite]] = {}
        for sites in project.callsites.values():
            for cs in sites:
                self.callers.setdefault(cs.callee, []).append(cs)
        self._nested: dict[str, set[int]] = {}
        self._sync_used: dict[str, set[int]] = {}
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

    def used_sync(self, fn: FunctionInfo, call: DynamoCall) -> bool:
        """Whether the call's result is used as a value at once (`t.get_item(...)["Item"]`)."""
        if call.handle.kind.value.startswith("pynamodb"):
            return True  # PynamoDB has no async API
        ids = self._sync_used.get(fn.qualname)
        if ids is None:
            nodes = walk(fn.node)
            ids = {
                id(n.value)
                for n in nodes
                if isinstance(n, ast.Subscript | ast.Attribute) and isinstance(n.value, ast.Call)
            }
            ids |= {id(n.iter) for n in nodes if isinstance(n, ast.For)}
            self._sync_used[fn.qualname] = ids
        return id(call.node) in ids

    def nested(self, fn: FunctionInfo, node: ast.AST) -> bool:
        """Whether a node of fn's body is inside a nested def or lambda (runs elsewhere)."""
        ids = self._nested.get(fn.qualname)
        if ids is None:
            ids = set()
            for sub in walk(fn.node):
                if sub is not fn.node and isinstance(
                    sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                ):
                    ids |= {id(n) for n in walk(sub)}
                elif isinstance(sub, ast.Call) and _scheduler(sub):
                    ids |= {id(a) for a in sub.args}
            self._nested[fn.qualname] = ids
        return id(node) in ids

    def async_callers(self, fn: FunctionInfo) -> list[FunctionInfo]:
        """[async fn, sync..., fn]: an async caller reaching fn through sync calls only."""
        todo: list[list[FunctionInfo]] = [[fn]]
        seen = {fn.qualname}
        while todo:
            path = todo.pop(0)
            if len(path) > MAX_UP:
                continue
            for cs in self.callers.get(path[0].qualname, []):
                caller = self.p.functions.get(cs.caller or "")
                if caller is None or cs.offloaded or caller.qualname in seen:
                    continue
                if self.nested(caller, cs.node):
                    continue
                if caller.is_async:
                    return [caller, *path]
                seen.add(caller.qualname)
                todo.append([caller, *path])
        return []


def _scheduler(call: ast.Call) -> bool:
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return name in SCHEDULERS
