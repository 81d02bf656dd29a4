"""Client method on a Table resource, or resource call shapes on a client.

## What it does
Reports DynamoDB calls that fail (or corrupt data) because they mix boto3's two APIs:

- a client-only operation on a `Table` resource (`table.transact_write_items`,
  `table.batch_write_item`, `table.describe_table`...) or on the service resource
  (`dynamodb.put_item`): `AttributeError`;
- a resource-only method on a client (`client.batch_writer()`, `client.Table(...)`,
  `client.load()`): `AttributeError`;
- on a plain low-level client (`boto3.client("dynamodb")`): an item operation without
  `TableName`, plain Python values in `Item`/`Key`/`ExpressionAttributeValues` (a
  literal, or a variable that can only hold a string or number: a request parameter,
  `str(uuid4())`), or a `Key()`/`Attr()` builder as an expression: `ParamValidationError`;
- on a resource's `meta.client` (which serializes plain values like the resource does):
  typed `{"S": ...}` values. A typed key fails with `ValidationException: Type mismatch for
  key`; a typed non-key attribute is stored as a map `{"M": {"S": {"S": "x"}}}`, silently.

The value shapes of a transaction's literal entries (`TransactItems[i].Put.Item`, `.Key`,
`.ExpressionAttributeValues`) are judged the same way.

The method sets come from boto3's resource model and botocore's service model (boto3 and
botocore 1.40.61). Values of unknown shape are never reported.

## Why is this bad?
The write (often the transaction or the conditional write that protects integrity) never
runs, and the error surfaces only at runtime, usually as a 500; the typed-through-meta.client
case writes corrupted attributes that every later read returns as nested maps.

## Example
```python
table = boto3.resource("dynamodb").Table("orders")
table.transact_write_items(TransactItems=[...])  # AttributeError
table.meta.client.put_item(TableName="orders", Item={"id": {"S": "1"}})  # wrong type
```

## Use instead
```python
table.meta.client.transact_write_items(TransactItems=[...])  # the resource's client
table.meta.client.put_item(TableName="orders", Item={"id": "1"})  # plain values
```
With the guard library: `Transaction` / `AsyncTransaction` for multi-item writes.

## References
- https://boto3.amazonaws.com/v1/documentation/api/latest/guide/dynamodb.html
- https://boto3.amazonaws.com/v1/documentation/api/latest/reference/services/dynamodb/table/index.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries import clients as c
from dynaguard.scan.query import Confidence, DynamoCall, Finding, HandleKind, Project, Severity


@register(
    id="DG116",
    name="client-method-on-resource",
    title="boto3 client and resource APIs mixed up",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-628",
    owasp_api=None,
    fix="Call client operations through `table.meta.client` (plain values, TableName given); "
    'give a plain boto3 client typed values ({"S": ...}) and TableName; use batch_writer() '
    "and Key()/Attr() only on a Table resource.",
)
def check(project: Project) -> Iterator[Finding]:
    """Calls that do not exist on the object, or pass values of the other API's shape."""
    m = q.meta("DG116")
    for call in q.operations(project):
        why = _wrong(project, call)
        if why is not None:
            route = next((s.route for s in q.sites(project, call) if s.route), None)
            yield q.finding(m, call, route, why, evidence={"method": call.method})
    endpoints = {r.function: r for r in reversed(q.routes(project))}
    for made in c.resource_calls_on_clients(project):
        route = endpoints.get(made.function.qualname)
        yield m.finding(
            message=f"`{made.method}` exists only on a boto3 resource: a client has no such "
            "method (AttributeError)",
            anchor=f"{made.function.qualname}:{made.method}",
            path=made.function.path,
            line=made.line,
            column=made.column,
            end_line=made.end_line,
            route=route.label if route else None,
            evidence={"method": made.method, "function": made.function.qualname},
        )


def _wrong(project: Project, call: DynamoCall) -> str | None:
    kind, method = call.handle.kind, call.method
    if kind is HandleKind.TABLE and method in c.CLIENT_OPS and method not in c.TABLE_METHODS:
        return (
            f"`{method}` is a client operation: a Table resource has no such method "
            f"(AttributeError); call it on `table.meta.client`"
        )
    if kind is HandleKind.RESOURCE and method in c.CLIENT_OPS and method not in c.RESOURCE_METHODS:
        return (
            f"`{method}` is not a method of the DynamoDB service resource (AttributeError); "
            f"call it on a Table or on `resource.meta.client`"
        )
    if kind is not HandleKind.CLIENT:
        return None
    if method in c.TABLE_ONLY:
        return f"`{method}` exists only on a Table resource: a client has no such method"
    if method not in c.ITEM_OPS | c.TRANSACT_OPS:
        return None
    if call.handle.plain and (typed := c.typed_values(call)):
        return (
            f"typed values ({', '.join(typed)}) passed through a resource's meta.client, "
            "which serializes plain Python values itself: a typed key fails (Type mismatch "
            'for key), a typed attribute is stored as a map {"M": {"S": ...}}'
        )
    if method in c.TRANSACT_OPS:  # each entry names its own table
        plain = c.plain_values(call) if call.handle.plain is False else []
        return (
            f"plain values where a low-level client expects typed ones ({', '.join(plain)}): "
            "rejected before sending (ParamValidationError)"
            if plain
            else None
        )
    # every client, a resource's meta.client included, needs TableName on item operations
    problems = [] if c.has_table_name(call) else ["no TableName"]
    if call.handle.plain is False:  # a low-level client: typed values, string expressions
        if plain := c.plain_values(call) or c.plain_sources(project, call):
            problems.append(f"plain values where typed ones are expected ({', '.join(plain)})")
        problems += [f"a Key()/Attr() builder as {arg}" for arg in c.builder_expressions(call)]
    if problems:
        return (
            "resource-style call on a low-level client, rejected before sending "
            f"(ParamValidationError): {'; '.join(problems)}"
        )
    return None
