"""Writes that grant another user a place in an object the caller administers (DG105).

Adding a member with a role (`Member(workspace_id, body.user_id, role=body.role).save()`)
is the feature of a route whose caller is verified to own or administer the workspace
first, not a mass assignment: the client is meant to choose the member and the role, and
it cannot raise its own privileges by doing so. By behaviour, a write is such a grant when,
before it, the request

- reads an object by request-chosen key parts and checks, with a raise, that the caller
  owns it (its owner compared with the principal) or holds a role in it (a record keyed by
  the object and the principal, whose attributes are checked);
- then writes a *different* record whose key carries the same request value (the object)
  and another part the request chooses (the member, from the body or the path): a child
  record of the verified object, about someone the caller names.

A write on the checked object itself (the owner raising its own workspace's plan) is no
grant: the caller would be setting what the server decides about its own object.

`claimed_keys` are the other feature: on a sign-up route (public by behaviour), the new
account's identifier that a put creates only if no item has it yet is the client's to claim;
it can overwrite nobody's record.
"""

from __future__ import annotations

import ast
import re

from dynaguard.scan.flow import events, key_value
from dynaguard.scan.frames import Event, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind, ParamSource
from dynaguard.scan.provenance import REQUEST_ORIGINS, Origin, Source, Value
from dynaguard.scan.queries.public import public_route
from dynaguard.scan.queries.records import write_key
from dynaguard.scan.queries.routes import checks_of
from dynaguard.scan.queries.updates import attribute_names
from dynaguard.scan.report import KEY_NAME
from dynaguard.scan.walk import nodes

__all__ = ["claimed_keys", "decided_parent", "granted_by", "path_grant", "required_absent"]

NOT_EXISTS = re.compile(r"attribute_not_exists\s*\(\s*(#?\w+)\s*\)", re.I)

Ident = tuple[Origin, str, tuple[str, ...]]


def granted_by(project: Project, call: DynamoCall, site: Site) -> Event | None:
    """The check that verifies the caller's authority over the object whose child record
    this write grants to a user the body names (None: not such a grant)."""
    route = site.route
    if route is None or call.operation not in ("put_item", "update_item"):
        return None
    evs = events(project, route)
    at = next((i for i, e in enumerate(evs) if e.kind == "write" and e.call is call), None)
    if at is None:
        return None
    key = write_key(project, call, site)
    if key is None:
        return None
    mine = {s for s in _idents(key.all_sources()) if s[0] in REQUEST_ORIGINS}
    if len(mine) < 2:
        return None  # no member named besides the object: a write on the object itself
    before = evs[:at]
    for read in (e for e in before if e.kind == "read" and e.call is not None):
        assert read.call is not None
        rkey = key_value(project, read.call, read.frame)
        if rkey is None:
            continue
        theirs = _idents(rkey.all_sources())
        if not theirs & mine or mine <= theirs:
            continue  # not under that object, or no other record than the one read
        own = Origin.PRINCIPAL in rkey.origins()  # the caller's own membership record
        for check in checks_of(read, before):
            if check.principal or (own and check.attrs):
                return check
    return None


def _idents(sources: set[Source]) -> set[Ident]:
    return {(s.origin, s.name, s.path) for s in sources}


def claimed_keys(project: Project, call: DynamoCall, site: Site) -> set[str]:
    """On an unauthenticated sign-up route, the attributes a put writes only if no item has
    them yet (`attribute_not_exists(user_id)`, `Model.user_id.does_not_exist()`)."""
    route = site.route
    if route is None or route.authenticated or call.operation != "put_item":
        return set()
    found = required_absent(project, call, site)
    return found if found and public_route(project, route) else set()


def required_absent(project: Project, call: DynamoCall, site: Site) -> set[str]:
    """The attributes a put's condition requires no item to have yet (a create only:
    `attribute_not_exists(sk)`, `Model.sk.does_not_exist()`)."""
    if call.operation != "put_item":
        return set()
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        cond = call.args.get("condition")
        return {
            n.func.value.attr
            for n in (nodes(cond) if cond is not None else ())
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "does_not_exist"
            and isinstance(n.func.value, ast.Attribute)
        }
    value = project.values.arg(call, "ConditionExpression", site.frame)
    names = attribute_names(project, call, site)
    texts = value.strings | value.texts if value is not None else frozenset()
    return {names.get(w, w) for t in texts for w in NOT_EXISTS.findall(t)}


def path_grant(project: Project, call: DynamoCall, site: Site, key: Value | None) -> bool:
    """The write grants someone the body names a place under the object the path names,
    which the caller was verified to own or administer, and the key keeps every path
    value: the path decides the object, the body the member (not an id the body swaps)."""
    route = site.route
    if key is None or route is None or granted_by(project, call, site) is None:
        return False
    paths = {p.name for p in route.params if p.source is ParamSource.PATH}
    used = {s.name for s in key.all_sources() if s.origin is Origin.PATH}
    return bool(paths) and paths <= used


def decided_parent(key: Value | None, keyed: set[str]) -> bool:
    """Another key attribute of the item (in `keyed`; by name when that is empty) comes
    from the principal or an item read, and nothing from the body; or the item spreads a
    whole item read and the body names one key attribute only (`{**page, "slug": new}`:
    the others are the read item's). Then the body only names a child inside that
    partition. A path value alone decides nothing the caller was verified for (that is
    `path_grant`)."""
    if key is None:
        return False
    # the table's key attributes as the project keys on them; by name only where nothing does
    keys = [(n, v) for n, v in key.fields or () if (n in keyed if keyed else KEY_NAME.match(n))]
    from_body = [n for n, v in keys if Origin.BODY in v.origins()]
    if len(from_body) == 1 and any(
        s.origin is Origin.ITEM and set(s.path) <= {"Item", "get"} for s in key.sources
    ):
        return True
    deciders = {Origin.PRINCIPAL, Origin.ITEM}
    replaced = {n for d in key.dumps for n in d.before}  # a model spread after them may
    return any(  # replace them (`{"tenant_id": me, **body.model_dump()}`)
        n not in replaced and Origin.BODY not in v.origins() and v.origins() & deciders
        for n, v in keys
    )
