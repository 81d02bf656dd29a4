"""Scan in a user-facing list route without owner scoping.

## What it does
Reports a `scan` (boto3, aioboto3, PynamoDB) reached from an authenticated route that
is not restricted to administrators when nothing in the request scopes it to the caller
(no `FilterExpression` or PynamoDB filter on the principal): the route lists every
user's items, or filters them in Python afterwards. A scan that is scoped but reads only
its first page (no `LastEvaluatedKey` / `ExclusiveStartKey` loop) is reported at low
severity. Scans only batch jobs reach are left alone, and so are scans of tables that hold
no per-user data (no owner-like attribute is ever written to or keyed on them, while the
project records ownership elsewhere: a product catalogue, reference data), including a
generic repository's table named by the subclass that holds it. A router factory's
endpoint is judged per call (`include_router(crud_router("webhooks"))`), and a table its
statement keeps per-user data in for another call (`owner_field="owner_id"`) is per-user
for every call: the call that leaves the owner out lists everyone's.

## Why is this bad?
An unscoped scan hands one user the whole table, or relies on Python code to drop other
users' rows (one missed branch is a data breach, OWASP API1:2023). It also reads and
bills the entire table on each request (API4:2023). A scan returns at most 1 MB per
call: without pagination the caller's items past the first page silently disappear.

## Example
```python
@router.get("/orders")
def list_orders(user: User = Depends(current_user)):
    items = orders.scan()["Items"]
    return [o for o in items if o["owner"] == user.id]
```

## Use instead
```python
@router.get("/orders")
def list_orders(user: User = Depends(current_user)):
    return orders.query(KeyConditionExpression=Key("owner").eq(user.id))["Items"]
```
Key the table (or a GSI) by owner and `query` it, following `LastEvaluatedKey`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.Pagination
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.branch_gate import privileged_branch
from dynaguard.scan.queries.tables import paginates, scan_filters, table_facts, table_of


@register(
    id="DG114",
    name="unscoped-scan",
    title="Scan in a user-facing route without owner scoping",
    severity=q.Severity.HIGH,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Query a key or index on the owner (KeyConditionExpression on user.id) and follow "
    "LastEvaluatedKey; never scan and filter in Python.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Scans on authenticated, non-admin routes: unscoped, or scoped but one page only."""
    rule = q.meta("DG114")
    tables = table_facts(project)
    for call in q.operations(project):
        if call.operation != "scan":
            continue
        for site in q.sites(project, call):
            route = site.route
            if route is None or not q.authenticated(route) or q.privileged(route):
                continue
            if privileged_branch(project, route, site.frame, call.node):
                continue  # `if current_user.is_superuser: scan_all()`
            if tables.shared(table_of(project, call, site.frame)):
                continue  # a catalogue: nothing per-user is written to or keyed on it
            scoped = any(
                q.Origin.PRINCIPAL in v.origins() for v in scan_filters(project, call, site)
            )
            if not scoped:
                yield q.finding(
                    rule,
                    call,
                    route,
                    "scan with no filter on the caller: every user's items are read "
                    "(and any filtering happens in Python)",
                )
                break
            # PynamoDB's scan() iterates every page by itself
            if call.handle.kind is not q.HandleKind.PYNAMODB_MODEL and not paginates(site):
                yield q.finding(
                    rule,
                    call,
                    route,
                    "scan reads only its first page (1 MB): the caller's later items are "
                    "silently missing",
                    severity=q.Severity.LOW,
                )
                break
