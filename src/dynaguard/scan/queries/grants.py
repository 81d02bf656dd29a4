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
"""

from __future__ import annotations

from dynaguard.scan.flow import events, key_value
from dynaguard.scan.frames import Event, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.provenance import REQUEST_ORIGINS, Origin, Source, Value
from dynaguard.scan.queries.transactions import key_attributes

__all__ = ["granted_by"]

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
    key = _write_key(project, call, site)
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
        for check in (e for e in before if e.kind == "check" and id(read.node) in e.reads):
            if check.principal or (own and check.attrs):
                return check
    return None


def _write_key(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The written record's key; a boto3 put's Item by its key-like attributes."""
    key = key_value(project, call, site.frame)
    if key is None:
        return None
    if call.operation == "put_item" and call.handle.kind is not HandleKind.PYNAMODB_ITEM:
        return key_attributes(key) if key.fields else None
    return key


def _idents(sources: set[Source]) -> set[Ident]:
    return {(s.origin, s.name, s.path) for s in sources}
