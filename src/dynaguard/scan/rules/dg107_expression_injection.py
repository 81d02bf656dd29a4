"""Expression text or attribute names built from request strings.

## What it does
Reports a DynamoDB call whose `UpdateExpression`, `ConditionExpression`,
`KeyConditionExpression`, `FilterExpression` or `ProjectionExpression` text contains a
value from the request (path, query, header, cookie or a body field), or whose
`ExpressionAttributeNames` map a placeholder to a name the client chose. Values FastAPI
constrains to fixed choices (a `Literal` or `Enum` parameter or body field, or a parsed
`int`/`bool`/`UUID`), values checked against fixed values before the call (`if f not in
ALLOWED: raise ...`), names looked up in an allow-list (`ALLOWED.get(choice)`), and the
keys of a dict the code builds are not reported; a free `dict` body's keys are the
client's (a Pydantic model's dumped keys are its field names).

## Why is this bad?
Expressions are a small language: a client that writes part of one changes what the
request does. `SET {field} = :v` with `field = "role = :v, balance"` sets two attributes;
a filter or projection over a name the client picks reads attributes it should never see
(`password_hash begins_with :x` answers one character at a time); a broken fragment is a
`ValidationException`, i.e. a 500 with the expression in its text.

## Example
```python
table.update_item(Key={"id": item_id}, UpdateExpression=f"SET {body.field} = :v",
                  ExpressionAttributeValues={":v": body.value})
```

## Use instead
```python
EDITABLE = {"name", "color"}
if body.field not in EDITABLE:
    raise HTTPException(422)
table.update_item(Key={"id": item_id}, UpdateExpression="SET #f = :v",
                  ExpressionAttributeNames={"#f": body.field},
                  ExpressionAttributeValues={":v": body.value})
```
Values always go through `ExpressionAttributeValues`; names through an allow-list.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
- https://cwe.mitre.org/data/definitions/943.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.expressions import EXPRESSIONS
from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.params import allow_listed, fixed_choice

CLIENT = frozenset({q.Origin.PATH, q.Origin.QUERY, q.Origin.HEADER, q.Origin.COOKIE, q.Origin.BODY})


@register(
    id="DG107",
    name="expression-injection",
    title="Expression text or attribute names from request strings",
    severity=q.Severity.HIGH,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-943",
    owasp_api="API8:2023",
    fix="Keep expressions constant: values through ExpressionAttributeValues, attribute names "
    "through ExpressionAttributeNames after an allow-list check.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Calls whose expression text or attribute names carry client strings."""
    rule = q.meta("DG107")
    for call in q.operations(project):
        for site in q.sites(project, call):
            found: dict[str, list[str]] = {}
            for arg in EXPRESSIONS:
                value = q.argument(project, call, arg, site)
                if value is not None and (bad := _client(project, call, site, value)):
                    found[arg] = bad
            names = q.argument(project, call, "ExpressionAttributeNames", site)
            for key in names.keys() if names else []:
                inner = names.field(key) if names else None
                if inner is not None and (bad := _client(project, call, site, inner)):
                    found[f"ExpressionAttributeNames[{key}]"] = bad
            if found:
                where = "; ".join(f"{a} <- {', '.join(s)}" for a, s in found.items())
                evidence: dict[str, q.JSON] = {a: list(s) for a, s in found.items()}
                yield q.finding(
                    rule,
                    call,
                    site.route,
                    f"expression built from request strings ({where}): the client writes part "
                    "of the expression or picks the attribute",
                    evidence={"arguments": evidence},
                )
                break


def _client(project: q.Project, call: q.DynamoCall, site: q.Site, value: q.Value) -> list[str]:
    """Client-controlled sources of a string (a whole body dumped is bounded by its model;
    a value FastAPI restricts to fixed choices, or one the code checked against fixed
    values before the call, cannot carry expression text)."""
    return sorted(
        {
            s.dotted
            for s in value.all_sources()
            if _from_client(s)
            and s not in value.bound  # a condition builder's operand: never expression text
            and not (site.route is not None and fixed_choice(project, site.route, s))
            and not allow_listed(project, call, site, s)
        }
    )


def _from_client(s: q.Source) -> bool:
    # a whole body is bounded by its model's field names; a free dict's keys are not
    return s.origin in CLIENT and (s.origin is not q.Origin.BODY or bool(s.path) or not s.model)
