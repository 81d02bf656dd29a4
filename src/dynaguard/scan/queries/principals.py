"""Whether an app has users, and which routes verify them, decided by what the code does.

An app *has principals* when it verifies credentials (a dependency, a middleware or an
endpoint checks a token or key: `scan.authn`), or when it hands them out or names users
without checking them:

- it issues tokens: a token is signed (`jwt.encode`, python-jose, authlib, joserfc,
  itsdangerous), Cognito signs a user in or up (`initiate_auth`, `sign_up`...);
- it writes API keys it generates (`secrets.token_urlsafe()` stored in an item);
- user ids come from the request on per-user data: the owner-like key or item attribute
  (`user_id`, `owner`, `tenant_id`...) of an item with an id of its own, taken from the
  path, query or body (a lone `account_id` key is the account itself, not its data).

An app with principals and no route that verifies them has no authentication at all:
every write is unauthenticated (DG104) and every request-chosen key on per-user data is
unowned (DG103). Sign-up, login, token, password-reset and webhook routes are public by
design, known by what they do (`queries.public.public_route`), never by their name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from dynaguard.scan.exempt import exempted, exempts_some
from dynaguard.scan.flow import item_value, key_value
from dynaguard.scan.frames import Frame
from dynaguard.scan.gateway_auth import gateway_guard
from dynaguard.scan.index import Project
from dynaguard.scan.infer import annotation_of
from dynaguard.scan.model import DynamoCall, FunctionInfo, Route
from dynaguard.scan.provenance import Origin, Source
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.tables import owner_like
from dynaguard.scan.reach import reachable_routes
from dynaguard.scan.report import KEY_NAME
from dynaguard.scan.routers import chain
from dynaguard.scan.starlette_auth import gate
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import own_nodes, walk

__all__ = [
    "Auth",
    "Principals",
    "issuers",
    "principals",
    "writes_by_route",
]

# Calls that sign a token for a caller (the app hands out credentials).
ISSUE_CALLS = frozenset(
    {
        "jwt.encode",
        "jwt.api_jwt.encode",
        "jose.jwt.encode",
        "authlib.jose.jwt.encode",
        "joserfc.jwt.encode",
    }
)
ISSUE_METHODS = {"itsdangerous": frozenset({"dumps"})}
# Cognito operations that sign a user in, up, or create one (the boto3 client's API).
COGNITO = frozenset(
    {
        "initiate_auth",
        "admin_initiate_auth",
        "respond_to_auth_challenge",
        "admin_respond_to_auth_challenge",
        "sign_up",
        "admin_create_user",
    }
)
# Server-side secrets: an item attribute holding one is a credential the app issued.
SECRETS = frozenset(
    {"secrets.token_urlsafe", "secrets.token_hex", "secrets.token_bytes", "os.urandom"}
)
PLAIN = frozenset({"str", "int", "UUID"})


def writes_by_route(project: Project) -> dict[int, list[DynamoCall]]:
    """The writes each route reaches (by `id(route)`), in file order. Once per project:
    `public_route` asks it for every route (recomputed, 20 similar services took 110 s)."""
    return once(project, "writes_by_route", _writes_by_route)


def _writes_by_route(project: Project) -> dict[int, list[DynamoCall]]:
    out: dict[int, dict[int, DynamoCall]] = {}
    for call in project.calls:
        if not (call.is_write or call.operation.startswith("batch_writer.")):
            continue
        for site in project.sites(call):
            if site.route is not None:
                out.setdefault(id(site.route), {}).setdefault(id(call), call)
    return {r: sorted(calls.values(), key=lambda c: (c.path, c.line)) for r, calls in out.items()}


@dataclass(frozen=True, slots=True)
class Principals:
    """How each app has users: verified somewhere, or only issued/named (evidence)."""

    verified: bool  # some route or middleware of the project verifies a credential
    # (app, evidence): the apps (root routers) whose routes issue or name users; app None
    # when no route reaches the evidence (a helper module): it counts for every app
    found: tuple[tuple[str | None, str], ...] = ()

    def issued(self, apps: set[str]) -> str | None:
        """Evidence that an app (its root routers) issues or names users."""
        return next((e for app, e in self.found if app is None or app in apps), None)

    def unverified(self, apps: set[str]) -> str | None:
        """Evidence that an app has users while nothing in the project verifies any."""
        return None if self.verified else self.issued(apps)

    @property
    def any(self) -> bool:
        """The project has users at all (verified, or issued/named somewhere)."""
        return self.verified or bool(self.found)


def principals(project: Project) -> Principals:
    """Whether the project's apps have users, and whether anything verifies them."""
    return once(project, "principals", _principals)


def _principals(project: Project) -> Principals:
    auth = Auth(project)
    found: list[tuple[str | None, str]] = []
    for routes, text in [*issuers(project), *_named_users(project)]:
        apps = sorted({a for r in routes for a in auth.roots(r.router)})
        found += [(a, text) for a in apps] if apps else [(None, text)]
    # a Starlette authentication backend names its callers, verified or not
    found += [
        (m.app, f"{m.function} identifies callers (an authentication backend)")
        for m in project.middlewares
        if m.granted is not None
    ]
    return Principals(project.app_has_auth, tuple(dict.fromkeys(found)))


def issuers(project: Project) -> list[tuple[list[Route], str]]:
    """Where the project issues credentials (signs a token, signs in with Cognito, stores
    a generated API key): the routes that reach each place, and evidence text."""
    out: list[tuple[list[Route], str]] = []
    for qualname, text in once(project, "issuing", issuing_functions).items():
        fn = project.functions[qualname]
        out.append((reachable_routes(project, fn), f"{fn.qualname} {text}"))
    for call in project.calls:
        if not call.is_write:
            continue
        for site in project.sites(call):
            item = item_value(project, call, site.frame)
            for k, v in item.fields or () if item is not None else ():
                if any(s.origin is Origin.SERVER and s.name in SECRETS for s in v.sources):
                    routes = [site.route] if site.route is not None else []
                    out.append((routes, f"{call.path}:{call.line} stores a generated secret ({k})"))
    return out


def issuing_functions(project: Project) -> dict[str, str]:
    """Functions that sign a token or sign users in themselves: qualname -> the first such
    call, by qualname (issuers' order)."""
    out: dict[str, str] = {}
    for fn in sorted(project.functions.values(), key=lambda f: f.qualname):
        mod = project.module_of(fn)
        if not any(_issues(c, mod) is not None for c in _calls_in(project, fn, mod)):
            continue  # no call of it (nor of its nested functions) issues: skip the walk
        for node in own_nodes(fn.node):
            text = _issues(node, mod)
            if text is not None:
                out[fn.qualname] = text
                break
    return out


def _calls_in(project: Project, fn: FunctionInfo, mod: ModuleInfo) -> list[ast.Call]:
    """Every call under a function (nested functions included): its body's, which the
    linked project's locals already list, and its signature's (decorators, defaults)."""
    node = fn.node
    header = [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
    calls = [n for h in header for n in walk(h) if isinstance(n, ast.Call)]
    return [*project.locals_of(Frame(fn, mod)).calls, *calls]


def _issues(node: ast.AST, mod: ModuleInfo) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    name = dotted(node.func, mod) or ""
    f = node.func
    root = name.split(".", 1)[0]
    if name in ISSUE_CALLS or (
        isinstance(f, ast.Attribute) and f.attr in ISSUE_METHODS.get(root, ())
    ):
        return f"signs tokens ({name})"
    if isinstance(f, ast.Attribute) and f.attr in COGNITO and _cognito(f, mod):
        return f"signs users in with Cognito ({f.attr})"
    return None


def _cognito(f: ast.Attribute, mod: ModuleInfo) -> bool:
    """The receiver is `boto3.client("cognito-idp")` (a module global), or unknown."""
    recv = f.value
    if not isinstance(recv, ast.Name) or recv.id not in mod.globals:
        return True  # the method names are Cognito's own API
    value = mod.globals[recv.id][0]
    if not isinstance(value, ast.Call):
        return True
    first = value.args[0] if value.args else None
    return isinstance(first, ast.Constant) and first.value == "cognito-idp"


def _named_users(project: Project) -> list[tuple[list[Route], str]]:
    """Routes that take a user id from the request into the owner-like key or item
    attribute of per-user data (`Item={"order_id": ..., "owner": body.owner}`)."""
    out: list[tuple[list[Route], str]] = []
    for call in project.calls:
        for site in project.sites(call):
            if site.route is None:
                continue
            # a Key's every attribute is key; an item's, only the id-like ones
            values = [(key_value(project, call, site.frame), call.operation != "put_item")]
            if call.is_write:
                values.append((item_value(project, call, site.frame), False))
            for value, keyed in values:
                fields = value.fields or () if value is not None else ()
                # per-user data: an item of its own (an id beside the owner), not the
                # account or user record itself (`Key={"account_id": ...}` alone)
                own = [k for k, _ in fields if not owner_like(project, k)]
                if not any(keyed or KEY_NAME.match(k) for k in own):
                    continue
                for k, v in fields:
                    if owner_like(project, k) and any(
                        _client_chosen(project, site.route, s) for s in v.all_sources()
                    ):
                        text = f"{site.route.label} takes the user id {k} from the request"
                        out.append(([site.route], text))
    return out


def _client_chosen(project: Project, route: Route, source: Source) -> bool:
    """A path or body value, or a query parameter of a plain type (a parameter whose
    annotation the scan cannot read may be a dependency FastAPI fills, not a query)."""
    if source.origin in (Origin.PATH, Origin.BODY):
        return True
    if source.origin is not Origin.QUERY:
        return False
    fn = project.functions.get(route.function)
    ann = annotation_of(fn, source.name) if fn is not None else None
    while isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name):
        ann = ann.slice if ann.value.id == "Optional" else None
    if isinstance(ann, ast.BinOp):  # str | None
        ann = ann.left
    return ann is None or (isinstance(ann, ast.Name | ast.Attribute) and _name(ann) in PLAIN)


def _name(e: ast.expr) -> str:
    return e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else ""


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
        self.exempting = [
            m.function
            for m in project.middlewares
            if m.is_auth and exempts_some(project, m.function)
        ]
        # per-project maps: scanning every include per router and every route per route
        # made a project with thousands of routes quadratic
        self._parents: dict[str, list[str]] = {}
        for inc in project.includes:
            self._parents.setdefault(inc.child, []).append(inc.parent)
        self._roots: dict[str | None, set[str]] = {}
        self._authed: dict[str, list[tuple[int, Route, str]]] | None = None

    def roots(self, router: str | None, below: frozenset[str] = frozenset()) -> set[str]:
        """The apps (routers nobody includes) a router is mounted on, through any number of
        include levels; `below` (the routers on the way down) stops an include cycle."""
        if router is None:
            return set()
        if not below and router in self._roots:
            return self._roots[router]
        parents = [p for p in self._parents.get(router, []) if p not in below]
        if not parents:
            found = {router}
        else:
            found = {r for parent in parents for r in self.roots(parent, below | {router})}
        if not below:
            self._roots[router] = found
        return found

    def route(self, route: Route) -> bool:
        """Whether the route authenticates (dependency, app middleware or header check)."""
        if any(self.p.behaviour.authenticates(d) for d in route.all_dependencies):
            return True
        # an app's middleware runs for its own routes and for every app mounted under it
        if (
            self.everywhere
            or chain(route.router, lambda r: self._parents.get(r, [])) & self.mw_apps
        ) and not any(exempted(self.p, f, route.full_paths) for f in self.exempting):
            return True  # (unless its path is one the middleware lets through unchecked)
        if gate(self.p, route, self.roots(route.router)) is not None:
            return True  # @requires(...) under a backend that verifies
        if gateway_guard(self.p, route) is not None:
            return True  # the template's API Gateway authorizer guards every way in
        return self.p.behaviour.endpoint_verifies(route)  # checks the credential itself

    def witness(self, route: Route) -> str | None:
        """A route of the same app that authenticates ('GET /me via get_current_user')."""
        if self._authed is None:
            self._authed = {}
            for i, other in enumerate(self.p.routes):
                dep = next(
                    (d for d in other.all_dependencies if self.p.behaviour.authenticates(d)),
                    None,
                )
                gated = gate(self.p, other, self.roots(other.router)) if dep is None else None
                own = dep is None and gated is None and self.p.behaviour.endpoint_verifies(other)
                if dep is not None or gated is not None or own:
                    how = (
                        (dep.name or dep.target)
                        if dep is not None
                        else "@requires"
                        if gated is not None
                        else "its own credential check"
                    )
                    text = f"{other.label} via {how}"
                    for app in self.roots(other.router):
                        self._authed.setdefault(app, []).append((i, other, text))
        # the first authenticated route, in declaration order, of an app this route is on
        best: tuple[int, str] | None = None
        for app in self.roots(route.router):
            hit = next(((i, t) for i, r, t in self._authed.get(app, []) if r is not route), None)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
        if best is None and (self.everywhere or self.roots(route.router) & self.mw_apps):
            return "its authentication middleware, which lets this path through unchecked"
        return best[1] if best is not None else None
