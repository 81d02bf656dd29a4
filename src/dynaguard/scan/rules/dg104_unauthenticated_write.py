"""Route that writes to DynamoDB without authentication.

## What it does
Reports a route that reaches a DynamoDB write (`put_item`, `update_item`, `delete_item`,
batch and transaction writes, PynamoDB `save`/`update`/`delete`) with no authentication
dependency at route, router (`APIRouter(dependencies=...)`, `include_router(...,
dependencies=...)`) or app level, in an app that authenticates other routes. An
authentication middleware that verifies a credential counts as authentication, and so
does a route that verifies the `Authorization`/API-key header itself (reading it is not
enough). Apps that authenticate nowhere are left alone (an internal service), as are
sign-up, login, token, password-reset and webhook routes, which are public by design.

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

import re
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.fastapi import is_auth
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, Route
from dynaguard.scan.report import at_call, meta

# Routes that are public by design: they create the credential, or prove it otherwise.
# Whole words only: `/authors/{id}` is no login and `get_author_repo` no authentication.
PUBLIC = re.compile(
    r"(?i)(?<![a-z])(sign_?up|register|registration|log_?in|sign_?in|tokens?|oauth2?|auth"
    r"|password|forgot|reset|verify|confirm|webhooks?|callbacks?|invit[a-z]*)(?![a-z])"
)


@register(
    id="DG104",
    name="unauthenticated-write",
    title="Route writes to DynamoDB without authentication",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe="CWE-306",
    owasp_api="API2:2023",
    fix="Add the app's authentication dependency to the route, its router "
    "(APIRouter(dependencies=[Depends(get_current_user)])) or the app.",
)
def check(project: Project) -> Iterator[Finding]:
    """Unauthenticated routes that write, in apps that authenticate elsewhere."""
    m = meta("DG104")
    writes = _writes_by_route(project)
    auth = Auth(project)
    for route in project.routes:
        calls = writes.get(id(route))
        if not calls or auth.route(route) or public_route(project, route):
            continue
        witness = auth.witness(route)
        if witness is None:
            continue  # the app authenticates nowhere: not this rule's business
        first = calls[0]
        ops = sorted({c.operation for c in calls})
        yield at_call(
            m,
            first,
            route,
            f"{route.label} writes to DynamoDB ({', '.join(ops)}) with no authentication "
            f"dependency at route, router or app level, although the app authenticates "
            f"elsewhere ({witness})",
            evidence={
                "route_line": route.line,
                "route_file": route.file,
                "writes": [f"{c.path}:{c.line} {c.operation}" for c in calls],
                "app_auth": witness,
            },
        )


def _writes_by_route(project: Project) -> dict[int, list[DynamoCall]]:
    out: dict[int, list[DynamoCall]] = {}
    for call in project.calls:
        if not (call.is_write or call.operation.startswith("batch_writer.")):
            continue
        for site in project.sites(call):
            if site.route is not None and call not in out.get(id(site.route), []):
                out.setdefault(id(site.route), []).append(call)
    for calls in out.values():
        calls.sort(key=lambda c: (c.path, c.line))
    return out


def public_route(project: Project, route: Route) -> bool:
    """Sign-up, login, token, password-reset and webhook routes: public by design."""
    fn = project.functions[route.function]
    return bool(PUBLIC.search(fn.name) or any(PUBLIC.search(p) for p in route.full_paths))


class Auth:
    """Authentication per app: dependencies at every level, and app middleware."""

    def __init__(self, project: Project) -> None:
        self.p = project
        specific = {mw.function for mw in project.middlewares if mw.app is not None}
        # a middleware class seen without add_middleware (e.g. FastAPI(middleware=[...]))
        # is assumed to apply everywhere: a false negative beats a false positive here
        self.everywhere = any(
            mw.is_auth and mw.app is None and mw.function not in specific
            for mw in project.middlewares
        )
        self.mw_apps = {mw.app for mw in project.middlewares if mw.is_auth and mw.app}
        # per-project maps: scanning every include per router and every route per route
        # made a project with thousands of routes quadratic
        self._parents: dict[str, list[str]] = {}
        for inc in project.includes:
            self._parents.setdefault(inc.child, []).append(inc.parent)
        self._roots: dict[str | None, set[str]] = {}
        self._authed: dict[str, list[tuple[int, Route, str]]] | None = None

    def roots(self, router: str | None, depth: int = 0) -> set[str]:
        """The apps (routers nobody includes) a router is mounted on."""
        if router is None:
            return set()
        if depth == 0 and router in self._roots:
            return self._roots[router]
        parents = self._parents.get(router, [])
        if not parents or depth > 6:
            found = {router}
        else:
            found = {r for parent in parents for r in self.roots(parent, depth + 1)}
        if depth == 0:
            self._roots[router] = found
        return found

    def route(self, route: Route) -> bool:
        """Whether the route authenticates (dependency, app middleware or header check)."""
        deps = route.all_dependencies
        if any(is_auth(self.p, d) for d in deps):
            return True
        if self.everywhere or self.roots(route.router) & self.mw_apps:
            return True
        return self.p.behaviour.endpoint_verifies(route)  # checks the credential itself

    def witness(self, route: Route) -> str | None:
        """A route of the same app that authenticates ('GET /me via get_current_user')."""
        if self._authed is None:
            self._authed = {}
            for i, other in enumerate(self.p.routes):
                dep = next((d for d in other.all_dependencies if is_auth(self.p, d)), None)
                if dep is not None:
                    text = f"{other.label} via {dep.name or dep.target}"
                    for app in self.roots(other.router):
                        self._authed.setdefault(app, []).append((i, other, text))
        # the first authenticated route, in declaration order, of an app this route is on
        best: tuple[int, str] | None = None
        for app in self.roots(route.router):
            hit = next(((i, t) for i, r, t in self._authed.get(app, []) if r is not route), None)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
        return best[1] if best is not None else None
