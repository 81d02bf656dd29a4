"""Different answers for another user's object and a missing one.

## What it does
Follows a route's read of an item and the checks made on it (helpers included) and
reports the read when a missing item is answered 404 but an item owned by someone else
is answered 403 (or the reverse: any two different statuses for the two cases). The
answers are read where they are made: `raise HTTPException(...)`, an exception built by a
helper or an `HTTPException` subclass, a helper that raises, a returned
`JSONResponse(status_code=...)`, the except clause around a read that raises for a
missing item (PynamoDB's `DoesNotExist`, the `KeyError` of boto3's `resp["Item"]`), and the
app's exception handlers: for a domain exception raised by a check (or the route's own
`except NotFound: raise HTTPException(404)` around the service that raised it), and for
the `DoesNotExist` an uncaught `Model.get` raises. The check that the object is the caller's
may test another read keyed by the item's own attribute: the caller looked for among the
members of the item's organization (`members(item["org_id"])`).

## Why is this bad?
The difference tells any caller which identifiers exist: enumerate ids, learn which
e-mail addresses have accounts, which order numbers are real, then aim the next attack
at them (OWASP API1:2023). For an object the caller may not see, "not yours" and
"not there" must be the same answer.

## Example
```python
doc = table.get_item(Key={"id": doc_id}).get("Item")
if doc is None:
    raise HTTPException(404)
if doc["owner"] != user.id:
    raise HTTPException(403)
```

## Use instead
```python
doc = table.get_item(Key={"id": doc_id}).get("Item")
if doc is None or doc["owner"] != user.id:
    raise HTTPException(404)
```
Better still, put the owner in the key or the condition so a foreign item is never read:
the guard library's `OwnedTable.get(key, owner=user.id)` raises the same `NotFound` for both
(a 404 with `install_error_handlers`).

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/204.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.routes import (
    checks_of,
    missing_statuses,
    parent_checks,
    raised_statuses,
)


@register(
    id="DG117",
    name="existence-oracle",
    title="Different answers for another user's object and a missing one",
    severity=q.Severity.MEDIUM,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-204",
    owasp_api="API1:2023",
    fix="Answer 404 both when the item is missing and when it belongs to someone else "
    "(one check: `if item is None or item['owner'] != user`).",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Reads whose ownership check and existence check answer different statuses."""
    rule = q.meta("DG117")
    for route in q.routes(project):
        steps = q.flow(project, route)
        for read in steps:
            if read.kind != "read" or read.call is None:
                continue
            mine = checks_of(read, steps)
            owner = [c for c in mine if c.principal] or parent_checks(project, read, steps)
            missing = [c for c in mine if not (c.principal or c.attrs)]
            owner_says = _statuses(project, owner)
            missing_says = _statuses(project, missing) | missing_statuses(project, read)
            if owner_says and missing_says and owner_says != missing_says:
                yield q.finding(
                    rule,
                    read.call,
                    route,
                    f"another user's item is answered {_text(owner_says)} but a missing one "
                    f"{_text(missing_says)}: any caller can tell which ids exist",
                    evidence={
                        "ownership_check": q.event_location(owner[0]),
                        # a PynamoDB get answers "missing" in its except clause
                        "existence_check": q.event_location(missing[0] if missing else read),
                    },
                )


def _statuses(project: q.Project, checks: list[q.Event]) -> set[int]:
    return {s for c in checks for s in raised_statuses(project, c)}


def _text(statuses: set[int]) -> str:
    return "/".join(str(s) for s in sorted(statuses))
