"""Request-supplied key used with no ownership check.

## What it does
Reports a `get_item`, `update_item`, `delete_item` or `query` (any style, PynamoDB
included) whose key comes from the request (path, query or body) when nothing ties the
object to the authenticated caller: the principal is not part of the key, the loaded item's
owner is not compared with the principal, no parent object was verified as the caller's
first, and the write's condition does not name the owner. Apps that authenticate nowhere
are left to DG104, and routes restricted to administrators (a `require_admin`, role or
scope dependency) may reach any object.
Nor are admin routes whose role is checked inline on the caller's own record, or routes
public by design (sign-up, login, password reset).

## Why is this bad?
This is Broken Object Level Authorization (BOLA/IDOR), the first item of the OWASP API
Top 10: any authenticated user can read or change another user's object by changing an
identifier in the URL.

## Example
```python
@router.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(get_current_user)):
    return table.get_item(Key={"id": note_id})["Item"]
```

## Use instead
```python
@router.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(get_current_user)):
    return table.get_item(Key={"userId": user.id, "id": note_id})["Item"]
```
Or compare `item["owner"]` with `user.id` before use, or use the guard library's
`OwnedTable.get(key, owner=user.id)`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.fastapi import is_auth, privileged
from dynaguard.scan.flow import Event, condition, events, key_value
from dynaguard.scan.index import Project
from dynaguard.scan.model import KEYED_OPS, Route
from dynaguard.scan.provenance import Origin
from dynaguard.scan.report import at_call, describe, lowered, meta, request_sources
from dynaguard.scan.rules.dg104_unauthenticated_write import public_route

ROLE_ATTR = re.compile(
    r"(?i)^(roles?|user_?role|is_?admin|is_?superuser|is_?staff|groups?|scopes?)$"
)
# role names every signed-in user holds: a check that lets them through gates nothing
ORDINARY_ROLES = frozenset({"user", "users", "member", "customer", "viewer", "guest", "basic"})


@register(
    id="DG103",
    name="missing-ownership-check",
    title="Request-supplied key with no ownership check",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix='Put the principal in the key (pk=f"USER#{user.id}"), compare the item\'s owner with '
    "the caller, or add the owner to the ConditionExpression (guard library: owner=...).",
)
def check(project: Project) -> Iterator[Finding]:
    """Keyed operations on request ids that nothing ties to the caller."""
    if not project.app_has_auth:
        return
    m = meta("DG103")
    for route in project.routes:
        if privileged(route):
            continue  # an admin endpoint may reach any object (function-level authorisation)
        if not route.authenticated and public_route(project, route):
            continue  # sign-up, login, password reset: look-ups by the credential, no caller
        evs = events(project, route)
        if _role_gated(project, evs):
            continue  # the same, checked inline on the caller's own record
        auth_fns = _auth_functions(project, route)
        seen: set[int] = set()  # a helper reached along two paths is one call site
        for i, ev in enumerate(evs):
            call = ev.call
            if call is None or call.operation not in KEYED_OPS or id(call.node) in seen:
                continue
            if any(f.qualname in auth_fns for f in ev.frame.chain()):
                continue  # the lookup of the caller itself (get_current_user)
            key = key_value(project, call, ev.frame)
            if key is None or not request_sources(key) or Origin.PRINCIPAL in key.origins():
                continue
            if _scoped(project, ev) or _owner_checked(project, evs, i, call.is_read):
                continue
            seen.add(id(call.node))
            yield at_call(
                m,
                call,
                route,
                f"{call.operation} on a key from the request "
                f"({', '.join(str(s) for s in describe(request_sources(key)))}) with no check "
                f"that the object belongs to the caller",
                evidence={
                    "key_sources": describe(key.all_sources()),
                    "authenticated": route.authenticated,
                    "auth": route.auth_evidence,
                },
                confidence=lowered(key) if route.authenticated else Confidence.MEDIUM,
            )


def _role_gated(project: Project, evs: list[Event]) -> bool:
    """A check of the caller's own record's role against privileged roles only
    (`if load(principal)["role"] in ("admin", "moderator")`)."""
    for ev in evs:
        if ev.kind != "check" or not any(ROLE_ATTR.match(a) for a in ev.attrs):
            continue
        test = ev.node.test if isinstance(ev.node, ast.If | ast.Assert) else ev.node
        roles = {
            n.value.lower()
            for n in ast.walk(test)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        if not roles or roles & ORDINARY_ROLES:
            continue  # any signed-in user passes: not function-level authorisation
        for read in evs:
            if read.kind == "read" and read.call is not None and id(read.node) in ev.reads:
                key = key_value(project, read.call, read.frame)
                if key is not None and Origin.PRINCIPAL in key.origins():
                    return True
    return False


def _auth_functions(project: Project, route: Route) -> set[str]:
    return {d.target for d in route.all_dependencies if d.target and is_auth(project, d)}


def _scoped(project: Project, ev: Event) -> bool:
    assert ev.call is not None
    cond = condition(project, ev.call, ev.frame)
    if cond is not None and Origin.PRINCIPAL in cond.origins():
        return True
    filt = project.values.arg(ev.call, "FilterExpression", ev.frame)
    return filt is not None and Origin.PRINCIPAL in filt.origins()


def _owner_checked(project: Project, evs: list[Event], index: int, is_read: bool) -> bool:
    # A read may be checked after loading (compare then use), or the write it prepares
    # may carry the owner in its condition; a write must be checked before it happens.
    window = evs if is_read else evs[:index]
    if any(e.kind == "check" and e.principal for e in window):
        return True
    return is_read and any(e.kind == "write" and _scoped(project, e) for e in evs[index + 1 :])
