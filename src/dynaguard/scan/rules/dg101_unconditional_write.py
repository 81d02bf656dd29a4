"""Write without a ConditionExpression.

## What it does
Finds `update_item`, `delete_item` and `put_item` calls (boto3 resource or client,
aioboto3, PynamoDB `save`/`update`/`delete`) that no condition protects, including
wrappers whose callers pass `condition_expression=None`.

## Why is this bad?
DynamoDB applies an unconditioned write whatever the item holds now. Two requests that
read the same item and write it back lose one update; an existence check followed by an
update re-creates an item deleted in between; a `put_item` replaces every attribute of an
existing item, silently wiping the ones the request did not send. A put of a fresh
server-generated key is reported at low severity: it cannot collide in practice.

## Example
```python
item = table.get_item(Key={"id": item_id})["Item"]
item["quantity"] -= 1
table.put_item(Item=item)  # another request's decrement is lost
```

## Use instead
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET quantity = quantity - :one",
    ConditionExpression="quantity >= :one",
    ExpressionAttributeValues={":one": 1},
)
```
With the guard library: `OwnedTable.update(key, changes, owner=user.id,
expected_version=v)` (owner and version in the condition) or
`OwnedTable.create(item, owner=user.id)` (create-only put).

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import check_then_act, condition, events, is_atomic_update, item_value
from dynaguard.scan.index import Project, Site
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.provenance import Origin, Value
from dynaguard.scan.report import KEY_NAME, at_call, meta

OPS = ("put_item", "update_item", "delete_item")


@register(
    id="DG101",
    name="unconditional-write",
    title="Write without a ConditionExpression",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-362",
    owasp_api="API6:2023",
    fix="Add a ConditionExpression (attribute_not_exists for creates, a version or the state "
    "you read for updates and deletes), or use the guard library's conditional writes.",
)
def check(project: Project) -> Iterator[Finding]:
    """Unconditioned puts, updates and deletes."""
    m = meta("DG101")
    for call in project.calls:
        if call.operation not in OPS:
            continue
        bare = [s for s in project.sites(call) if condition(project, call, s.frame) is None]
        if not bare or _atomic(project, call, bare[0]):
            continue
        if any(s.route and check_then_act(project, s.route, call) for s in bare):
            continue  # DG102 reports it, with the check that should have been the condition
        site = bare[0]
        severity, why = _judge(project, call, site)
        routes = sorted({s.route.label for s in bare if s.route})
        yield at_call(
            m,
            call,
            site.route,
            f"{call.operation} without a condition: {why}",
            evidence={"routes": list(routes)} if routes else None,
            severity=severity,
        )


def _atomic(project: Project, call: DynamoCall, site: Site) -> bool:
    if call.operation != "update_item":
        return False
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        return (
            isinstance(actions, ast.List)
            and bool(actions.elts)
            and all(
                isinstance(a, ast.Call)
                and isinstance(a.func, ast.Attribute)
                and a.func.attr in ("add", "append", "prepend")
                for a in actions.elts
            )
        )
    expr = call.args.get("UpdateExpression")
    text = project.values.text(expr, site.frame) if expr is not None else None
    return text is not None and is_atomic_update(text)


def _judge(project: Project, call: DynamoCall, site: Site) -> tuple[Severity | None, str]:
    if call.operation == "delete_item":
        return None, "the item is deleted whatever state it reached since it was checked"
    item = item_value(project, call, site.frame)
    if item is not None and Origin.ITEM in item.origins():
        return (
            None,
            "read-modify-write: a concurrent update between the read and this write is lost",
        )
    # a fresh key names an item no earlier check can have looked at (a uniqueness check on
    # another attribute needs its own conditional item, not this put's condition)
    if call.operation == "put_item" and item is not None and _fresh_key(item.fields or ()):
        return (
            Severity.LOW,
            "the key is server-generated, so a collision is unlikely; "
            "attribute_not_exists makes it impossible",
        )
    if site.route is not None and _existence_checked(project, site, call):
        return None, "the item's existence is checked first, but it can change before this write"
    if call.operation == "put_item":
        return None, "an existing item with this key is replaced whole (sibling attributes lost)"
    return None, "a concurrent write to the same item is silently overwritten (lost update)"


def _fresh_key(fields: tuple[tuple[str, Value], ...]) -> bool:
    for name, value in fields:
        origins = value.origins()
        if (
            KEY_NAME.match(name)
            and Origin.SERVER in origins
            and origins <= {Origin.SERVER, Origin.CONSTANT}
        ):
            return True
    return False


def _existence_checked(project: Project, site: Site, call: DynamoCall) -> bool:
    assert site.route is not None
    seen_check = False
    for ev in events(project, site.route):
        if ev.kind == "check":
            seen_check = True
        if ev.node is call.node:
            return seen_check
    return False
