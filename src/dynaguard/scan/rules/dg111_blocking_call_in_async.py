"""Synchronous DynamoDB call on the event loop.

## What it does
Reports a synchronous boto3 (resource, client, `table.meta.client`, and module-level
clients of other services such as `cognito-idp`) or PynamoDB call that runs inside an
`async def` — a route, an async dependency, a security class's
`async def __call__` used through `Depends`/`Security`, a `BaseHTTPMiddleware.dispatch`, an
async service or repository method — either directly (reported at the call) or through
synchronous helpers it calls (a module-level repository singleton, a sync wrapper in
another module: reported where the async function calls the helper, with the chain down to
the DynamoDB call as evidence). Sync `def` routes and dependencies (FastAPI runs them in a
thread pool), calls offloaded with `asyncio.to_thread`, `run_in_threadpool` or
`run_in_executor`, and aioboto3/aiobotocore calls are not reported.
Start-up and shutdown hooks (`on_event`, an app's `lifespan=`) never stall a request (not
reported). A call on a table of unknown library is sync when the project is boto3-only, or
when its result is used at once or dropped un-awaited (an aioboto3 coroutine would be
neither).

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

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.concurrency import Blocking, blocking_calls, blocking_finding
from dynaguard.scan.query import JSON, Confidence, Finding, Project, Severity


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
    m = q.meta("DG111")
    for b in blocking_calls(project):
        entry, call = b.chain[0], b.call
        names = [_short(f.qualname) for f in b.chain]
        chain: list[JSON] = [f.qualname for f in b.chain]
        if b.at is None:
            where = f"inside `async def {names[0]}`"
        else:
            where = (
                f"(at {call.path}:{call.line}) through `{names[1]}`, which "
                f"`async def {names[0]}` calls here (via {' -> '.join(names)})"
            )
        yield blocking_finding(
            m,
            b,
            f"synchronous {b.library} `{call.method}` blocks the event loop {where}: every "
            f"other request on this worker waits for the {_service(b)} round trip",
            evidence={"async_function": entry.qualname, "chain": chain},
            confidence=_confidence(b),
        )


def _confidence(b: Blocking) -> Confidence:
    if not b.served:
        return Confidence.LOW  # async code no route or middleware is seen to reach
    return Confidence.HIGH if len(b.chain) == 1 else Confidence.MEDIUM


def _service(b: Blocking) -> str:
    return "DynamoDB" if b.service == "dynamodb" else b.service


def _short(qualname: str) -> str:
    return qualname.rpartition(":")[2]
