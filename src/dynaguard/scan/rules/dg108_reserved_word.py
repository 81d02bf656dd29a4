"""Reserved word in a DynamoDB expression.

## What it does
Reports a DynamoDB call whose `UpdateExpression`, `ConditionExpression`,
`KeyConditionExpression`, `FilterExpression` or `ProjectionExpression` (also inside
`TransactItems`) names an attribute that is one of DynamoDB's ~570 reserved words
(`status`, `name`, `data`, `owner`, `user`, `type`, `value`, `timestamp`, `ttl`, `role`...)
without an `#alias` from `ExpressionAttributeNames`. The expression text may be a literal or
statically built (constants, f-strings, concatenation, `str.format`/`%`, a join over a
constant list or a dict's keys, a `**kwargs` spread, across helpers). Names used only as
`Item`/`Key` keys, PynamoDB models and `Key()`/`Attr()` builders are never reported: they do
not go into expression text, or are aliased automatically.

## Why is this bad?
DynamoDB rejects the whole request with `ValidationException: Invalid UpdateExpression:
Attribute name is a reserved keyword`. The code path usually works in a unit test with a
mock that does not parse expressions, and fails in production on the first call: the
update, the condition that protects it, or the query never runs.

## Example
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET status = :s",
    ExpressionAttributeValues={":s": "shipped"},
)
```

## Use instead
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET #status = :s",
    ExpressionAttributeNames={"#status": "status"},
    ExpressionAttributeValues={":s": "shipped"},
)
```
Or use the guard library's `OwnedTable` (every name it writes is aliased), or the
`Key()`/`Attr()` condition builders.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.expressions import EXPRESSIONS, bare_names
from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.expressions import expression_texts, reserved_words
from dynaguard.scan.query import Confidence, Finding, HandleKind, Project, Severity

__all__ = ["EXPRESSIONS", "check", "reserved_in", "reserved_words"]

# PynamoDB writes its own aliased expressions; a batch writer takes none.
SKIP = frozenset({HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM, HandleKind.BATCH_WRITER})


def reserved_in(text: str, kind: str) -> list[str]:
    """Reserved words used as bare attribute names in one expression's text."""
    return bare_names(text, kind, reserved_words())


@register(
    id="DG108",
    name="reserved-word",
    title="Reserved word in a DynamoDB expression",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-754",
    owasp_api=None,
    fix="Alias the name: `#status` in the expression and ExpressionAttributeNames="
    '{"#status": "status"}; or write through the guard library\'s OwnedTable (every name '
    "aliased), or use the Key()/Attr() builders.",
)
def check(project: Project) -> Iterator[Finding]:
    """Reserved words used bare in expression strings."""
    m = q.meta("DG108")
    for call in q.operations(project):
        if call.handle.kind in SKIP:
            continue
        found: dict[str, list[str]] = {}
        route = None
        for site in q.sites(project, call):
            for kind, text in expression_texts(project, call, site):
                for word in reserved_in(text, kind):
                    if word not in found.setdefault(kind, []):
                        found[kind].append(word)
                        route = route or site.route
        if not found:
            continue
        parts = [f"{kind}: {', '.join(words)}" for kind, words in found.items() if words]
        words = sorted({w for ws in found.values() for w in ws})
        aliases = ", ".join(f'"#{w}": "{w}"' for w in words)
        yield q.finding(
            m,
            call,
            route,
            f"reserved word(s) used bare in the expression ({'; '.join(parts)}): DynamoDB "
            f"rejects the request with a ValidationException; alias them "
            f"(ExpressionAttributeNames={{{aliases}}})",
            evidence={"words": list(words), "expressions": list(found)},
        )
