"""Transaction items on request-derived keys without an ownership condition.

## What it does
Reads each `Update`, `Delete` and `Put` of a `transact_write_items` (client, aioboto3 or
`table.meta.client`) whose key comes from the request (path, query or body) and reports
the transaction when such an item has no condition naming the caller (its
`ConditionExpression` and values carry no principal), the key does not contain the
principal, no `ConditionCheck` of the same transaction ties the same request key to the
caller, and no earlier check compared the object's owner with the caller. The items are
followed wherever the list is built (helpers, `append`, a method's parameter).

A transfer's credit side is not reported: an `Update` that only adds (`ADD`, `SET n = n +
:v`, PynamoDB `Model.n.add(v)`) an amount that cannot be negative (a constant, or a request
value bounded at zero by its type, `Field(gt=0)` or a raising check) to an item it requires
to exist, beside the caller's own item (owner-conditioned or keyed by the caller). It takes
nothing from the recipient; a debit, an overwrite, an unbounded amount or a possible create
stay reported.
Nor is a counter of the caller's relation (PynamoDB `Post.likes.add(1)` on a post the
condition requires, beside the caller's own like keyed by the principal and the post), nor
a key from a webhook body whose signature the endpoint verifies (HMAC, a provider's SDK).

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
The guard library's `OwnedTable.transaction()` adds the owner condition to every item.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries import transactions as t
from dynaguard.scan.queries.counters import entry_step, relation_held
from dynaguard.scan.queries.membership import covers
from dynaguard.scan.queries.signed import signed_sources


@register(
    id="DG110",
    name="transaction-without-owner-condition",
    title="Transaction item on a request key without an ownership condition",
    severity=q.Severity.HIGH,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix="Give every Update/Delete/Put of the transaction a ConditionExpression on the owner "
    '("owner_id = :me"), or key it by the principal (guard library: OwnedTable.transaction()).',
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """transact_write_items with an item on a request key that nothing ties to the caller."""
    if not q.app_authenticates(project):
        return
    rule = q.meta("DG110")
    for call in q.operations(project):
        if call.operation != "transact_write_items":
            continue
        for site in q.sites(project, call):
            route = site.route
            if route is None or q.privileged(route):
                continue
            checked = _checked_before(project, route, call)
            loose = [
                (a, k)
                for a, k in _unowned(project, call, site)
                if not signed_sources(project, route, q.request_sources(k)) and not checked(k)
            ]  # (a webhook's signed body: the signer chose its ids, not the caller)
            if loose:
                names = sorted({s.dotted for _, key in loose for s in q.request_sources(key)})
                actions: list[q.JSON] = [*sorted({a for a, _ in loose})]
                yield q.finding(
                    rule,
                    call,
                    route,
                    f"transaction {', '.join(map(str, actions))} on a key from the "
                    f"request ({', '.join(names)}) with no condition on the owner",
                    evidence={"actions": actions},
                )
                break


def _unowned(project: q.Project, call: q.DynamoCall, site: q.Site) -> list[tuple[str, q.Value]]:
    entries = t.transact_entries(project, call, site)
    items = [(action, body) for action, body, _, _ in entries]
    # a ConditionCheck on the caller owning the parent object guards every item keyed by the
    # same request value: the transaction is all-or-nothing
    guarded = {
        s
        for action, body in items
        if action == "ConditionCheck" and t.owner_conditioned(body) and (key := body.field("Key"))
        for s in q.request_sources(key)
    }
    # the caller's own side of the transaction: an item owner-conditioned or keyed by them
    mine = any(
        action in t.TARGET and (t.owner_conditioned(body) or t.keyed_by_caller(action, body))
        for action, body in items
    )
    keys = [t.written_key(action, body) for action, body in items]
    out: list[tuple[str, q.Value]] = []
    for entry in entries:
        action, body, expr, frame = entry
        key = t.entry_key(action, body)
        if key is None or not q.request_sources(key) or q.Origin.PRINCIPAL in key.origins():
            continue
        route = site.route
        if action == "Update" and mine and route and t.credit_entry(project, route, entry):
            continue  # a transfer's credit: adds to an existing item, takes nothing from it
        if action == "Update" and entry_step(project, expr, frame) and relation_held(key, keys):
            continue  # a like's counter, beside the caller's own like
        cond = body.field("ConditionExpression")
        if action == "Put" and cond and any("attribute_not_exists" in t for t in cond.texts):
            continue  # a create: it cannot replace anyone's object
        if not (t.owner_conditioned(body) or q.request_sources(key) <= guarded):
            out.append((action, key))
    return out


def _checked_before(
    project: q.Project, route: q.Route, call: q.DynamoCall
) -> Callable[[q.Value], bool]:
    """Whether the request compared with the caller the owner of what a key addresses."""
    evs = q.flow(project, route)
    at = next((i for i, e in enumerate(evs) if e.call is call), len(evs))
    checks = [e for e in evs[:at] if e.kind == "check" and e.principal]
    return lambda key: any(covers(project, c, evs, key, None) for c in checks)
