"""State attribute written with no condition on its current value.

## What it does
Finds updates (`update_item` in any style, PynamoDB `update(actions=[...])`) that SET a
state attribute — `status`, `state`, `stage`, `phase`, `order_status`... — whose condition
does not mention that attribute, whether the new value comes from the request or is a
fixed one such as `"CANCELLED"`. Expressions built at run time from a dict's keys
(`"SET " + ", ".join(f"#{k} = :{k}" for k in changes)`) count with the keys their callers
pass (`update_fields(order_id, {"status": "CLOSED"})`).

## Why is this bad?
A workflow allows some transitions only: a shipped order cannot be cancelled, a paid
invoice cannot go back to draft, a finished job cannot be restarted. Without the current
state in the condition, every transition succeeds — asked for by the client, or under a
race: a worker's final state is overwritten by a user's cancel that read the old state.
Checking the state in Python after a read does not help; it can change before the write.

## Example
```python
table.update_item(Key={"order_id": order_id}, UpdateExpression="SET #s = :c",
                  ExpressionAttributeNames={"#s": "status"},
                  ExpressionAttributeValues={":c": "CANCELLED"})
```

## Use instead
```python
table.update_item(Key={"order_id": order_id}, UpdateExpression="SET #s = :c",
                  ConditionExpression="#s IN (:new, :paid)",
                  ExpressionAttributeNames={"#s": "status"},
                  ExpressionAttributeValues={":c": "CANCELLED", ":new": "NEW", ":paid": "PAID"})
```
A `ConditionalCheckFailedException` then means "not allowed from the current state" (409).

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
- https://cwe.mitre.org/data/definitions/841.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.updates import STATE, condition_names, set_attributes


@register(
    id="DG119",
    name="unguarded-state-transition",
    title="State attribute updated with no condition on its current value",
    severity=q.Severity.MEDIUM,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-841",
    owasp_api="API6:2023",
    fix="Add a ConditionExpression on the allowed prior states, e.g. "
    '"#s IN (:new, :paid)"; answer 409 on ConditionalCheckFailedException.',
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Updates that set a state attribute whose condition never names it."""
    rule = q.meta("DG119")
    for call in q.operations(project):
        if call.operation != "update_item":
            continue
        for site in q.sites(project, call):
            states = [s for s in set_attributes(project, call, site) if STATE.match(s)]
            guarded = condition_names(project, call, site)
            bare = [s for s in states if s not in guarded]
            if bare:
                attrs: list[q.JSON] = [*bare]
                yield q.finding(
                    rule,
                    call,
                    site.route,
                    f"sets {', '.join(bare)} with no condition on its current value: "
                    "any transition succeeds, including illegal ones and lost races",
                    evidence={"attributes": attrs},
                )
                break
