"""Transaction items on request-derived keys without an ownership condition.

## What it does
Reads each `Update`, `Delete` and `Put` of a `transact_write_items` (client, aioboto3 or
`table.meta.client`) whose key comes from the request (path, query or body) and reports
the transaction when such an item has no condition naming the caller (its
`ConditionExpression` and values carry no principal), the key does not contain the
principal, and no earlier check compared the object's owner with the caller.

## Why is this bad?
A transaction is all-or-nothing, not authorized: each item is written as given. One item
on another user's key makes the whole transaction act on their object — archive their
project, delete their members — which is Broken Object Level Authorization with the
extra reach of several tables at once (OWASP API1:2023).

## Example
```python
client.transact_write_items(TransactItems=[
    {"Update": {"TableName": "projects", "Key": {"id": {"S": project_id}},
                "UpdateExpression": "SET archived = :t", ...}},
])
```

## Use instead
```python
client.transact_write_items(TransactItems=[
    {"Update": {"TableName": "projects", "Key": {"id": {"S": project_id}},
                "UpdateExpression": "SET archived = :t",
                "ConditionExpression": "owner_id = :me",
                "ExpressionAttributeValues": {":t": {"BOOL": True}, ":me": {"S": user.id}}}},
])
```
The guard library's `table.transaction()` adds the owner condition to every item.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.fastapi import privileged
from dynaguard.scan.flow import events
from dynaguard.scan.index import Project, Site
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.provenance import Origin, Value, join
from dynaguard.scan.report import KEY_NAME, at_call, describe, meta, request_sources

ACTIONS = {"Update": "Key", "Delete": "Key", "Put": "Item"}


@register(
    id="DG110",
    name="transaction-without-owner-condition",
    title="Transaction item on a request key without an ownership condition",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Give every Update/Delete/Put of the transaction a ConditionExpression on the owner "
    '("owner_id = :me"), or key it by the principal (guard library: table.transaction()).',
)
def check(project: Project) -> Iterator[Finding]:
    """transact_write_items with an item on a request key that nothing ties to the caller."""
    if not project.app_has_auth:
        return
    m = meta("DG110")
    for call in project.calls:
        if call.operation != "transact_write_items":
            continue
        for site in project.sites(call):
            route = site.route
            if route is None or privileged(route) or _checked_before(project, site, call):
                continue
            loose = _unowned(project, call, site)
            if loose:
                names = sorted({str(s) for _, key in loose for s in describe(request_sources(key))})
                actions: list[JSON] = [*sorted({a for a, _ in loose})]
                yield at_call(
                    m,
                    call,
                    route,
                    f"transaction {', '.join(map(str, actions))} on a key from the "
                    f"request ({', '.join(names)}) with no condition on the owner",
                    evidence={"actions": actions},
                )
                break


def _unowned(project: Project, call: DynamoCall, site: Site) -> list[tuple[str, Value]]:
    out: list[tuple[str, Value]] = []
    parts = [project.values.of(e, site.frame) for e in _elements(project, call, site)]
    for action, body in [f for v in parts for f in v.fields or ()]:
        key = body.field(ACTIONS[action]) if action in ACTIONS else None
        if action == "Put" and key is not None:  # of an item, only its key attributes
            key = join(*(v for k, v in key.fields or () if KEY_NAME.match(k)))
        if key is None or not request_sources(key) or Origin.PRINCIPAL in key.origins():
            continue
        guard = [body.field(k) for k in ("ConditionExpression", "ExpressionAttributeValues")]
        cond = body.field("ConditionExpression")
        if (
            action == "Put"
            and cond is not None
            and any("attribute_not_exists" in t for t in cond.texts)
        ):
            continue  # a create: it cannot replace anyone's object
        if cond is not None and Origin.PRINCIPAL in join(*(g for g in guard if g)).origins():
            continue
        out.append((action, key))
    return out


def _elements(project: Project, call: DynamoCall, site: Site) -> list[ast.expr]:
    """The literal items of TransactItems=[...] (or of the list a local name holds)."""
    expr = call.args.get("TransactItems")
    found = [expr] if expr is not None else []
    if isinstance(expr, ast.Name):
        found = project.locals_of(site.frame).assigns.get(expr.id, [])
    return [e for f in found if isinstance(f, ast.List | ast.Tuple) for e in f.elts]


def _checked_before(project: Project, site: Site, call: DynamoCall) -> bool:
    assert site.route is not None
    for ev in events(project, site.route):
        if ev.node is call.node:
            return False
        if ev.kind == "check" and ev.principal:
            return True
    return False
