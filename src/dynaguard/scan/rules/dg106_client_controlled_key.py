"""Key attribute taken from the request body when the path or the caller decides it.

## What it does
Reports a DynamoDB call whose key attribute (`Key=`, or a key attribute of a put's
`Item=` or of a PynamoDB model: key-like by name, or named in the key of the project's own
gets, updates and deletes on that table) comes from a field of the request body, on a route whose
path already names the object (`PUT /items/{item_id}` with `Key={"id": body.id}`), or whose
owner attribute (`user_id`, `owner_id`, `tenant_id`...) the authenticated principal decides.
A child of a verified parent is not reported: the route verifies that the caller owns or
administers the object the path names, then writes its child record for a member or an
item the body names (`POST /boards/{board_id}/shares` with `{"board_id": board_id,
"user_id": body.user_id}`), every path value kept in the key.

Nor is a put that only creates (`attribute_not_exists`) a child record under a partition
key the caller or an item read decides, with only the child's own key from the body (a
reading's timestamp under the device whose key the request proved; a page re-created
whole, `{**page, "slug": body.new_slug}`, under the partition it was read from): it
replaces nothing and files nothing elsewhere. Under a partition the path alone decides,
with nothing verified about it, the same put is reported: the client files records under
any parent. Nor is a get whose item is thrown away (the named user must only exist).

## Why is this bad?
The path said which object to change and the authorization was checked for that one, but
the body names another: the client writes to any item it likes, or files its data under
another user's partition (OWASP API1:2023, identifier tampering).

## Example
```python
@router.put("/items/{item_id}")
def replace_item(item_id: str, body: ItemIn, user=Depends(get_current_user)):
    table.put_item(Item={"id": body.id, "owner": user.id, "name": body.name})
```

## Use instead
```python
    table.put_item(Item={"id": item_id, "owner": user.id, "name": body.name},
                   ConditionExpression="#o = :me", ...)
```
Take the key from the path and the owner from the principal; reject a body id that differs.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/639.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.discarded import discarded_read
from dynaguard.scan.queries.dumped_keys import body_keys, dumped_keys
from dynaguard.scan.queries.grants import decided_parent, path_grant, required_absent
from dynaguard.scan.queries.keys import keyed_on
from dynaguard.scan.queries.tables import table_of
from dynaguard.scan.query import (
    Confidence,
    Finding,
    HandleKind,
    Origin,
    ParamSource,
    Project,
    Route,
    Severity,
)

OPS = frozenset({"get_item", "put_item", "update_item", "delete_item"})


@register(
    id="DG106",
    name="client-controlled-key",
    title="Key attribute taken from the request body",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Build the key from the path parameter and the principal; if the body repeats the id, "
    "reject a mismatch (422) instead of using it.",
)
def check(project: Project) -> Iterator[Finding]:
    """Key attributes from body fields on routes whose path or principal decides them."""
    m = q.meta("DG106")
    owners = set(q.config(project).owner_attributes)
    for call in q.operations(project):
        if call.operation not in OPS or discarded_read(project, call):
            continue
        for site in q.sites(project, call):
            route = site.route
            if route is None:
                continue
            key = q.key(project, call, site)
            is_item = call.operation == "put_item" or _pynamo(call.handle.kind)
            # key attributes: by name, or named in some get/update/delete's key on the table
            table = table_of(project, call, site.frame)
            keyed = set(keyed_on(project, table))
            bad = body_keys(key, route, is_item, owners, keyed)
            bad += dumped_keys(project, key, keyed, route, owners) if is_item and not bad else []
            if bad and required_absent(project, call, site) and decided_parent(key, keyed):
                continue  # a new child record under the parent the path or caller decides
            posing = key is not None and any(  # `body.user_id or me`: the caller by default
                Origin.PRINCIPAL in v.origins() for n, v in key.fields or () if n in dict(bad)
            )
            if bad and not posing and path_grant(project, call, site, key):
                continue  # a member the admin names, under the object the path names
            if bad:
                names = ", ".join(f"{k} <- {src}" for k, src in bad)
                yield q.finding(
                    m,
                    call,
                    route,
                    f"key attribute(s) taken from the request body ({names}) although "
                    f"{_decider(route)} decides them",
                    evidence={"attributes": [k for k, _ in bad]},
                )
                break


def _pynamo(kind: HandleKind) -> bool:
    return kind is HandleKind.PYNAMODB_ITEM


def _decider(route: Route) -> str:
    paths = [p.name for p in route.params if p.source is ParamSource.PATH]
    return f"the path ({', '.join(paths)})" if paths else "the authenticated principal"
