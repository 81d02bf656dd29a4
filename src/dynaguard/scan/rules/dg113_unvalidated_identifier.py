"""Request identifier used in a key with no type, length or pattern constraint.

## What it does
Reports a `get_item`, `update_item`, `delete_item` or `query` whose key takes a path,
query or body value declared as a plain `str` (or not annotated): no `int`/`UUID`/`Literal`
type, no `pattern=`, `max_length=` or `min_length=` on `Path()`, `Query()`, `Field()`,
`constr` or `StringConstraints` (directly, through an `Annotated` alias or a nested
model), no model config bounding every string (`str_max_length`), no validator of the
field that raises, and no test of the value in the endpoint that raises before the key.

## Why is this bad?
DynamoDB refuses keys it cannot store: an empty string for a key attribute, a partition
key over 2048 bytes or a sort key over 1024 bytes raise `ValidationException`. Without a
constraint those requests reach DynamoDB and come back as 500s (with the error text, if
it leaks), and every malformed id costs a round trip; a validated id is a 422 before any
I/O.

## Example
```python
@router.get("/files/{file_id}")
def read_file(file_id: str):
    return files.get_item(Key={"file_id": file_id.strip()})["Item"]
```

## Use instead
```python
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

@router.get("/files/{file_id}")
def read_file(file_id: FileId):
    return files.get_item(Key={"file_id": file_id})["Item"]
```

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
- https://cwe.mitre.org/data/definitions/1284.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.inputs import unconstrained

CHECKED = (q.Origin.PATH, q.Origin.QUERY, q.Origin.BODY)


@register(
    id="DG113",
    name="unvalidated-identifier",
    title="Request identifier reaches a key unvalidated",
    severity=q.Severity.LOW,
    confidence=q.Confidence.MEDIUM,
    cwe="CWE-1284",
    owasp_api="API8:2023",
    fix="Constrain the id where it enters: a type (int, UUID) or Path/Query/Field(pattern=..., "
    "max_length=...), so a malformed id is a 422 and never a DynamoDB ValidationException.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Keys built from plain-str request values."""
    rule = q.meta("DG113")
    for call in q.operations(project):
        if call.operation not in q.KEYED_OPS:
            continue
        for site in q.sites(project, call):
            route = site.route
            key = q.key(project, call, site) if route else None
            if route is None or key is None:
                continue
            loose = sorted(
                {
                    s.dotted
                    for s in key.all_sources()
                    if s.origin in CHECKED and unconstrained(project, route, s)
                }
            )
            if loose:
                yield q.finding(
                    rule,
                    call,
                    route,
                    f"key from unconstrained request value(s) {', '.join(loose)}: an empty or "
                    "oversized id reaches DynamoDB (ValidationException, a 500)",
                    evidence={"values": list(loose)},
                )
                break
