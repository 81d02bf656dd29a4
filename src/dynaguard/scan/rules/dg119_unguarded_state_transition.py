"""State attribute written with no condition on its current value.

## What it does
Finds updates (`update_item` in any style, PynamoDB `update(actions=[...])`) that SET a
state attribute — `status`, `state`, `stage`, `phase`, `order_status`... — whose condition
does not mention that attribute, whether the new value comes from the request or is a
fixed one such as `"CANCELLED"`.

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

import ast
import re
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import _CLAUSE, _top_level_split
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.report import at_call, meta

STATE = re.compile(r"(?i)^(status|state|stage|phase|lifecycle|\w+_(status|state|stage|phase))$")
WORD = re.compile(r"#?[A-Za-z_]\w*")


@register(
    id="DG119",
    name="unguarded-state-transition",
    title="State attribute updated with no condition on its current value",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe="CWE-841",
    owasp_api="API6:2023",
    fix="Add a ConditionExpression on the allowed prior states, e.g. "
    '"#s IN (:new, :paid)"; answer 409 on ConditionalCheckFailedException.',
)
def check(project: Project) -> Iterator[Finding]:
    """Updates that set a state attribute whose condition never names it."""
    m = meta("DG119")
    for call in project.calls:
        if call.operation != "update_item":
            continue
        for site in project.sites(call):
            states = [s for s in _written(project, call, site.frame) if STATE.match(s)]
            guarded = _mentioned(project, call, site.frame)
            bare = [s for s in states if s not in guarded]
            if bare:
                yield at_call(
                    m,
                    call,
                    site.route,
                    f"sets {', '.join(bare)} with no condition on its current value: "
                    "any transition succeeds, including illegal ones and lost races",
                    evidence={"attributes": list(bare)},
                )
                break


def _names(project: Project, call: DynamoCall, frame: Frame) -> dict[str, str]:
    """ExpressionAttributeNames placeholders that resolve to one known name."""
    value = project.values.arg(call, "ExpressionAttributeNames", frame)
    out: dict[str, str] = {}
    for key, v in (value.fields if value else None) or ():
        if len(v.texts) == 1:
            out[key] = next(iter(v.texts))
    return out


def _written(project: Project, call: DynamoCall, frame: Frame) -> list[str]:
    """Attribute names an update SETs (placeholders resolved)."""
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        if actions is None:
            return []
        return [
            n.func.value.attr
            for n in ast.walk(actions)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "set"
            and isinstance(n.func.value, ast.Attribute)
        ]
    expr = call.args.get("UpdateExpression")
    text = project.values.text(expr, frame) if expr is not None else None
    if text is None:
        return []
    names = _names(project, call, frame)
    pieces = _CLAUSE.split(text)
    out: list[str] = []
    for verb, body in zip(pieces[1::2], pieces[2::2], strict=False):
        if verb.upper() != "SET":
            continue
        for assignment in _top_level_split(body):
            left = assignment.split("=", 1)[0].strip()
            out.append(names.get(left, left))
    return out


def _mentioned(project: Project, call: DynamoCall, frame: Frame) -> set[str]:
    """Attribute names the condition mentions (text, placeholders, Attr(...) or model attrs)."""
    arg = "condition" if call.handle.kind is HandleKind.PYNAMODB_ITEM else "ConditionExpression"
    expr = call.args.get(arg)
    if expr is None:
        return set()
    value = project.values.of(expr, frame)
    words = {w for s in value.strings | value.texts for w in WORD.findall(s)}
    words |= {n.attr for n in ast.walk(expr) if isinstance(n, ast.Attribute)}
    names = _names(project, call, frame)
    return words | {names[w] for w in words if w in names}
