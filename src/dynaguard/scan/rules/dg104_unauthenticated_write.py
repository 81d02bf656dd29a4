"""Route that writes to DynamoDB without authentication.

## What it does
Reports a route that reaches a DynamoDB write (`put_item`, `update_item`, `delete_item`,
batch and transaction writes, PynamoDB `save`/`update`/`delete`) with no authentication
dependency at route, router (`APIRouter(dependencies=...)`, `include_router(...,
dependencies=...)`) or app level, in an app that authenticates other routes. An
authentication middleware that verifies a credential and refuses the request when that
fails counts as authentication (one that only records the caller on `request.state` lets
every request through: a dependency that raises without that caller authenticates; a path
it lets through unchecked, `if request.url.path in PUBLIC_PATHS: return await
call_next(request)`, is not authenticated by it; a dependency that looks the caller up by
a credential and answers None for anonymous callers authenticates the routes that refuse
None, `if user is None: raise 401`), and so
does a route that verifies the `Authorization`/API-key header itself (reading it is not
enough). Starlette's `AuthenticationMiddleware` only identifies callers: a route under it
is authenticated by `@requires(...)` when the backend's `authenticate` verifies a
credential, and `@requires` of a scope the backend grants only to some callers makes the
route an administrator's. Behind API Gateway, a SAM or serverless.yml authorizer counts
for the routes of the code under the template's directory when every gateway route that
can reach them passes one (`Auth: DefaultAuthorizer`, an event's `authorizer:`; not one
that says `Authorizer: NONE`). An app that has users but verifies them nowhere (it signs
tokens at `/login`, signs users in with Cognito, stores API keys it generates, or takes
user ids from the path or body) has no authentication at all: every write is reported.
Apps with no users are left alone (an internal service), as are sign-up, login, token,
password-reset and webhook routes, which are public by design. A write that only steps a
counter by fixed numbers (`ADD views :one`, a view count bumped by a background task)
changes no one's data and is not counted.

## Why is this bad?
The app has a notion of a caller, and this route forgot to ask for one: anyone on the
network can create, change or delete data. It usually happens when a router is added
without the dependency its siblings carry, or when auth is applied per route and one is
missed (OWASP API2:2023, CWE-306).

## Example
```python
secured = APIRouter(dependencies=[Depends(get_current_user)])
admin = APIRouter(prefix="/admin")  # no dependency

@admin.delete("/items/{item_id}")
def purge(item_id: str):
    table.delete_item(Key={"id": item_id})
```

## Use instead
```python
admin = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])
```
Or declare the dependency once on the app: `FastAPI(dependencies=[Depends(get_current_user)])`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
- https://fastapi.tiangolo.com/tutorial/dependencies/global-dependencies/
- https://cwe.mitre.org/data/definitions/306.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.counters import stepped
from dynaguard.scan.queries.principals import Auth, principals, writes_by_route
from dynaguard.scan.queries.public import public_route


@register(
    id="DG104",
    name="unauthenticated-write",
    title="Route writes to DynamoDB without authentication",
    severity=q.Severity.HIGH,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-306",
    owasp_api="API2:2023",
    fix="Add the app's authentication dependency to the route, its router "
    "(APIRouter(dependencies=[Depends(get_current_user)])) or the app.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Unauthenticated routes that write, in apps that have users."""
    rule = q.meta("DG104")
    writes = writes_by_route(project)
    if not writes:
        return  # no route writes: the project's users need not be looked for
    auth = Auth(project)
    users = principals(project)
    for route in q.routes(project):
        # a counter only stepped by fixed numbers (`ADD views :one`) changes no one's data
        calls = [
            c
            for c in writes.get(id(route), [])
            if not any(stepped(project, c, s) for s in q.sites(project, c) if s.route is route)
        ]
        if not calls or auth.route(route) or public_route(project, route):
            continue
        witness = auth.witness(route)
        unverified = users.issued(auth.roots(route.router))  # no route of it verifies
        if witness is not None:
            why = f"although the app authenticates elsewhere ({witness})"
        elif unverified is not None:
            why = f"and no route verifies a caller, although the app has users ({unverified})"
        else:
            continue  # no users, or another app authenticates: not this rule's business
        ops = sorted({c.operation for c in calls})
        yield q.finding(
            rule,
            calls[0],
            route,
            f"{route.label} writes to DynamoDB ({', '.join(ops)}) with no authentication "
            f"dependency at route, router or app level, {why}",
            evidence={
                "route_line": route.line,
                "route_file": route.file,
                "writes": [f"{c.path}:{c.line} {c.operation}" for c in calls],
                "app_auth": witness or unverified,
            },
        )
