"""Whether a keyed operation on a request-chosen key is tied to the caller (DG103).

A key is *owned* when something in the request ties it to the authenticated principal:

- the principal is part of the key (`Key={"user_id": user.id, ...}`);
- the key *is* the principal: the request value is compared with the caller's own id
  and the request fails otherwise (`if account_id != me["account_id"]: raise`), or the
  lookup is the authentication itself (the caller's record by its API key or token);
- the loaded item's owner is compared with the principal (before a write, anywhere
  around a read), or the operation's condition or filter names the principal;
- the request proves it holds the object's own secret: the item read by the same request
  values is compared with the request's credential, with a raise (`queries.possession`);
- the route is role-gated: a dependency, or an inline check of the caller's own record,
  lets only privileged roles through (administrators may reach any object).

A key on a table that holds no per-user data (`queries.tables`) needs no owner. In an app
whose users are never verified (`queries.principals`), every request-chosen key on a
per-user table is unowned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dynaguard.core.findings import JSON, Confidence
from dynaguard.scan.authn_body import ORDINARY_ROLES, BodyScan, Seeds
from dynaguard.scan.deps import dependency, depends_of
from dynaguard.scan.flow import condition, events, key_value
from dynaguard.scan.frames import Event, Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import KEYED_OPS, DynamoCall, FunctionInfo, ParamSource, Route
from dynaguard.scan.provenance import Origin, Source, Value
from dynaguard.scan.queries.authorization import ordinary_gate
from dynaguard.scan.queries.counters import counter_step, relation_held
from dynaguard.scan.queries.grants import required_absent
from dynaguard.scan.queries.machine import machine_caller
from dynaguard.scan.queries.membership import covers, relation_checked
from dynaguard.scan.queries.possession import possessed
from dynaguard.scan.queries.principals import Auth, principals
from dynaguard.scan.queries.public import public_route
from dynaguard.scan.queries.published import served_when_public
from dynaguard.scan.queries.replaces import put_key, takes_over
from dynaguard.scan.queries.signed import signed_sources
from dynaguard.scan.queries.tables import TableFacts, table_facts, table_of
from dynaguard.scan.report import describe, lowered, request_sources
from dynaguard.scan.walk import nodes, own_nodes

__all__ = ["Unowned", "key_is_principal", "role_gated", "source_text", "unowned"]

OPS = KEYED_OPS | {"put_item"}  # a put replaces the item its key names
ROLE_ATTR = re.compile(
    r"(?i)^(roles?|user_?role|is_?admin|is_?superuser|is_?staff|groups?|scopes?)$"
)


@dataclass(frozen=True, slots=True)
class Unowned:
    """A keyed operation on a request-chosen key that nothing ties to the caller."""

    call: DynamoCall
    route: Route
    key: Value
    table: str | None
    sources: list[JSON]  # the client-chosen parts of the key ("path note_id")
    evidence: dict[str, JSON]
    confidence: Confidence


def unowned(project: Project) -> Iterator[Unowned]:
    """Every keyed operation, per route, whose request-chosen key is not the caller's."""
    if not project.routes:
        return  # no routes: the project's users need not be looked for
    users = principals(project)
    if not users.any:
        return  # no users at all: ownership means nothing (an internal service)
    tables = table_facts(project)
    auth = Auth(project)
    for route in project.routes:
        unverified = users.unverified(auth.roots(route.router)) is not None
        if not users.verified and not unverified:
            continue  # this app has no users
        if route.privileged and not ordinary_gate(project, route):
            continue  # an admin endpoint may reach any object (function-level authorisation)
        if not route.authenticated and public_route(project, route):
            continue  # sign-up, login, password reset: look-ups by the credential, no caller
        if machine_caller(project, route):
            continue  # a partner system with one shared key: no user's objects to guard
        yield from _route(project, route, tables, unverified)


def _route(
    project: Project, route: Route, tables: TableFacts, unverified: bool
) -> Iterator[Unowned]:
    evs = events(project, route)
    if role_gated(project, evs):
        return  # the same, checked inline on the caller's own record
    auth_fns = {
        d.target for d in route.all_dependencies if d.target and project.behaviour.authenticates(d)
    }
    middleware = any(m.is_auth for m in project.middlewares)
    seen: set[int] = set()  # a helper reached along two paths is one call site
    for i, ev in enumerate(evs):
        call = ev.call
        if call is None or call.operation not in OPS or id(call) in seen:
            continue
        if any(f.qualname in auth_fns for f in ev.frame.chain()):
            continue  # the lookup of the caller itself (get_current_user)
        put = call.operation == "put_item"
        if put and not takes_over(project, call, Site(route, ev.frame)):
            continue  # a create, or no caller written: DG101 and DG104 judge the replace
        key = put_key(project, call, ev.frame) if put else key_value(project, call, ev.frame)
        if key is None or not request_sources(key) or key.always(Origin.PRINCIPAL):
            continue
        if signed_sources(project, route, request_sources(key)):
            continue  # a webhook's signed body: the signer chose the id, not the caller
        table = table_of(project, call, ev.frame)
        if tables.shared(table):
            continue  # a catalogue: nothing per-user is written to or keyed on this table
        if unverified and table not in tables.per_user:
            continue  # no caller to compare with: only per-user data is at stake
        if _scoped(project, ev) or _owner_checked(project, evs, i, key):
            continue
        cond = condition(project, call, ev.frame)
        if cond is not None and key_is_principal(project, route, ev, cond):
            continue  # `clinic_id = :clinic` after `if clinic_id != me.clinic_id: raise`
        if relation_checked(project, evs, i, key):
            continue  # the caller's membership of the object's parent was checked first
        if served_when_public(project, evs, i):
            continue  # served only when published: anyone's to read by design
        if possessed(project, evs, i, compared=not auth_fns and not middleware):
            continue  # the request proved it holds this object's own secret
        if key_is_principal(project, route, ev, key):
            continue
        if _counted(project, route, evs, ev, key):
            continue  # a like's counter on the post: the caller's own like is written beside
        seen.add(id(call))
        yield Unowned(
            call=call,
            route=route,
            key=key,
            table=table,
            sources=describe(request_sources(key)),
            evidence={
                "key_sources": describe(key.all_sources()),
                "authenticated": route.authenticated,
                "auth": route.auth_evidence,
                "per_user_table": table in tables.per_user,
            },
            confidence=lowered(key) if route.authenticated else Confidence.MEDIUM,
        )


def _counted(project: Project, route: Route, evs: list[Event], ev: Event, key: Value) -> bool:
    """A fixed step of a counter, beside the caller's own record of the relation."""
    assert ev.call is not None
    if not counter_step(project, ev.call, Site(route, ev.frame)):
        return False
    # the relation record changes once per caller: a create-only put, or a delete the
    # condition ties to an existing record (else one caller steps the counter at will)
    written = (
        key_value(project, e.call, e.frame)
        for e in evs
        if e.kind == "write" and e.call and _once(project, e.call, Site(route, e.frame))
    )
    return relation_held(key, (k for k in written if k is not None))


def _once(project: Project, call: DynamoCall, site: Site) -> bool:
    if call.operation == "delete_item":
        return condition(project, call, site.frame) is not None
    return bool(required_absent(project, call, site))


def key_is_principal(project: Project, route: Route, ev: Event, key: Value) -> bool:
    """The request value in the key is compared with the caller's own id, and the request
    fails otherwise, before the operation: in the endpoint (`if account_id != me.id:
    raise`), or in a dependency of the route that takes the same path or query parameter
    (FastAPI binds it by name) beside an authenticated one."""
    names = {s.name for s in request_sources(key) if not s.path}
    fn = project.functions.get(route.function)
    line = _endpoint_line(ev)
    if not names or fn is None or line is None:
        return False
    princ = {p.name for p in route.params if p.source is ParamSource.PRINCIPAL}
    reqs = {p.name for p in route.params if p.source is ParamSource.REQUEST}
    if _compares(fn.node, names, princ, reqs, before=line):
        return True
    if _helper_compares(project, fn, names, line):
        return True
    for dep in route.all_dependencies:
        dep_fn = project.functions.get(dep.target or "")
        if dep_fn is None or not names & {a.arg for a in dep_fn.params}:
            continue
        if _compares(dep_fn.node, names, _principal_params(project, dep_fn), set(), None):
            return True
    return False


def _compares(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    names: set[str],
    princ: set[str],
    reqs: set[str],
    before: int | None,
) -> bool:
    """A guard (raise or early return) in the body compares one of `names` with the
    principal, before line `before` (anywhere when None)."""
    found: list[tuple[list[ast.expr], list[ast.expr]]] = []  # (sides, those named)
    for n in own_nodes(node):
        test = _guard(n)
        if test is None or (before is not None and getattr(n, "lineno", before) >= before):
            continue
        for cmp in (c for c in nodes(test) if isinstance(c, ast.Compare)):
            sides = [cmp.left, *cmp.comparators]
            mine: list[ast.expr] = [x for x in sides if isinstance(x, ast.Name) and x.id in names]
            if mine:
                found.append((sides, mine))
    if not found:
        return False  # no guard compares the names: the body's taint is not needed
    scan = BodyScan(node, Seeds(principals=frozenset(princ), requests=frozenset(reqs)), _no)
    return any(x not in mine and scan.principal_of(x) for sides, mine in found for x in sides)


def _helper_compares(project: Project, fn: FunctionInfo, names: set[str], line: int) -> bool:
    """The endpoint passes the request value to a helper before `line`, and the helper
    compares it with something that holds the caller, raising otherwise
    (`same_clinic(clinic_id, staff)`: `if clinic_id != staff.clinic_id: raise`)."""
    frame = Frame(fn, project.module_of(fn))
    for call in (n for n in own_nodes(fn.node) if isinstance(n, ast.Call)):
        if call.lineno >= line:
            continue
        at = [i for i, a in enumerate(call.args) if isinstance(a, ast.Name) and a.id in names]
        callee = project.values.target(call, frame) if at else None
        if not isinstance(callee, FunctionInfo):
            continue
        params = [a.arg for a in callee.params]
        inner = {params[i] for i in at if i < len(params)}
        entered = frame.enter(callee, call, project.module_of(callee))
        for n in own_nodes(callee.node):
            test = _guard(n)
            for cmp in (c for c in nodes(test) if isinstance(c, ast.Compare)) if test else ():
                sides = [cmp.left, *cmp.comparators]
                if not any(isinstance(x, ast.Name) and x.id in inner for x in sides):
                    continue
                others = [x for x in sides if not (isinstance(x, ast.Name) and x.id in inner)]
                if any(project.values.of(x, entered).always(Origin.PRINCIPAL) for x in others):
                    return True
    return False


def _principal_params(project: Project, fn: FunctionInfo) -> set[str]:
    """A dependency's parameters filled by an authenticating dependency."""
    mod = project.module_of(fn)
    out: set[str] = set()
    for arg in fn.params:
        for expr in (fn.default_of(arg.arg), arg.annotation):
            found = depends_of(project, mod, expr)
            if found is not None:
                dep = dependency(project, found[1], found[0], "param")
                if project.behaviour.authenticates(dep):
                    out.add(arg.arg)
                break
    return out


def _no(_: ast.Call) -> bool:
    return False


def _endpoint_line(ev: Event) -> int | None:
    """The line of the endpoint's statement that leads to the event (None in a dependency)."""
    node: ast.AST | None = ev.node
    frame: Frame | None = ev.frame
    while frame is not None and frame.caller is not None:
        if frame.call is None:
            return None  # inside a dependency
        node, frame = frame.call, frame.caller
    return getattr(node, "lineno", None)


def _guard(node: ast.AST) -> ast.expr | None:
    """The test of an `if` that raises or returns early, or of an `assert`."""
    if isinstance(node, ast.Assert):
        return node.test
    if isinstance(node, ast.If) and node.body:
        last = node.body[-1]
        if isinstance(last, ast.Raise | ast.Return):
            return node.test
    return None


def role_gated(project: Project, evs: list[Event]) -> bool:
    """A check of the caller's own record's role against privileged roles only
    (`if load(principal)["role"] in ("admin", "moderator")`)."""
    for ev in evs:
        if ev.kind != "check" or not any(ROLE_ATTR.match(a) for a in ev.attrs):
            continue
        test = ev.node.test if isinstance(ev.node, ast.If | ast.Assert) else ev.node
        roles = {
            n.value.lower()
            for n in nodes(test)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        if not roles or roles & ORDINARY_ROLES:
            continue  # any signed-in user passes: not function-level authorisation
        for read in evs:
            if read.kind == "read" and read.call is not None and read.call.key in ev.reads:
                key = key_value(project, read.call, read.frame)
                if key is not None and Origin.PRINCIPAL in key.origins():
                    return True
    return False


def _scoped(project: Project, ev: Event) -> bool:
    assert ev.call is not None
    cond = condition(project, ev.call, ev.frame)
    if cond is not None and Origin.PRINCIPAL in cond.origins():
        return True
    filt = project.values.arg(ev.call, "FilterExpression", ev.frame)
    return filt is not None and Origin.PRINCIPAL in filt.origins()


def _owner_checked(project: Project, evs: list[Event], index: int, key: Value) -> bool:
    # A read may be checked after loading (compare then use), or the write it prepares
    # may carry the owner in its condition; a write must be checked before it happens.
    op = evs[index].call
    is_read = op is not None and op.is_read
    window = evs if is_read else evs[:index]
    if any(e.kind == "check" and e.principal and covers(project, e, evs, key, op) for e in window):
        return True
    if not is_read:
        return False
    # `Model.get(k).delete(condition=owner == me)`: the write encloses the read, so it is
    # listed first; it still comes after it
    read = evs[index]
    later = [
        *evs[index + 1 :],
        *(e for e in evs[:index] if e.frame.fn is read.frame.fn and e.line == read.line),
    ]
    return any(e.kind == "write" and _scoped(project, e) for e in later)


def source_text(sources: set[Source]) -> str:
    """`path note_id, body owner` for a message."""
    return ", ".join(str(s) for s in describe(sources))
