"""Client method on a Table resource, or resource call shapes on a client.

## What it does
Reports DynamoDB calls that fail (or corrupt data) because they mix boto3's two APIs:

- a client-only operation on a `Table` resource (`table.transact_write_items`,
  `table.batch_write_item`, `table.describe_table`...) or on the service resource
  (`dynamodb.put_item`): `AttributeError`;
- a resource-only method on a client (`client.batch_writer()`, `client.Table(...)`,
  `client.load()`): `AttributeError`;
- on a plain low-level client (`boto3.client("dynamodb")`): an item operation without
  `TableName`, plain Python values in `Item`/`Key`/`ExpressionAttributeValues`, or a
  `Key()`/`Attr()` builder as an expression: `ParamValidationError`;
- on a resource's `meta.client` (which serializes plain values like the resource does):
  typed `{"S": ...}` values. A typed key fails with `ValidationException: Type mismatch for
  key`; a typed non-key attribute is stored as a map `{"M": {"S": {"S": "x"}}}`, silently.

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

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, register
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame, bound_arg, is_param
from dynaguard.scan.model import ClassRef, DynamoCall, FunctionInfo, Handle, HandleKind
from dynaguard.scan.report import at_call, meta
from dynaguard.scan.walk import walk

# botocore 1.40.61's DynamoDB operations (xform_name of service_model.operation_names).
_CLIENT_OPS = """batch_execute_statement batch_get_item batch_write_item create_backup
    create_global_table create_table delete_backup delete_item delete_resource_policy
    delete_table describe_backup describe_continuous_backups describe_contributor_insights
    describe_endpoints describe_export describe_global_table describe_global_table_settings
    describe_import describe_kinesis_streaming_destination describe_limits describe_table
    describe_table_replica_auto_scaling describe_time_to_live disable_kinesis_streaming_destination
    enable_kinesis_streaming_destination execute_statement execute_transaction
    export_table_to_point_in_time get_item get_resource_policy import_table list_backups
    list_contributor_insights list_exports list_global_tables list_imports list_tables
    list_tags_of_resource put_item put_resource_policy query restore_table_from_backup
    restore_table_to_point_in_time scan tag_resource transact_get_items transact_write_items
    untag_resource update_continuous_backups update_contributor_insights update_global_table
    update_global_table_settings update_item update_kinesis_streaming_destination
    update_table update_table_replica_auto_scaling update_time_to_live"""
# boto3 1.40.61's resource model: the Table's actions and waiters, the service resource's.
_TABLE_METHODS = """batch_writer delete delete_item get_available_subresources get_item load
    put_item query reload scan update update_item wait_until_exists wait_until_not_exists"""
_RESOURCE_METHODS = "Table batch_get_item batch_write_item create_table get_available_subresources"
CLIENT_OPS = frozenset(_CLIENT_OPS.split())
TABLE_METHODS = frozenset(_TABLE_METHODS.split())
RESOURCE_METHODS = frozenset(_RESOURCE_METHODS.split())
TABLE_ONLY = TABLE_METHODS - CLIENT_OPS
AWS_LIBS = frozenset({"boto3", "aioboto3", "aiobotocore", "botocore"})
ITEM_OPS = frozenset({"put_item", "get_item", "update_item", "delete_item", "query", "scan"})


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
    m = meta("DG116")
    for call in project.calls:
        why = _wrong(project, call)
        if why is not None:
            route = next((s.route for s in project.sites(call) if s.route), None)
            yield at_call(m, call, route, why, evidence={"method": call.method})
    yield from _client_only_factories(project)


def _wrong(project: Project, call: DynamoCall) -> str | None:
    kind, method = call.handle.kind, call.method
    if kind is HandleKind.TABLE and method in CLIENT_OPS and method not in TABLE_METHODS:
        return (
            f"`{method}` is a client operation: a Table resource has no such method "
            f"(AttributeError); call it on `table.meta.client`"
        )
    if kind is HandleKind.RESOURCE and method in CLIENT_OPS and method not in RESOURCE_METHODS:
        return (
            f"`{method}` is not a method of the DynamoDB service resource (AttributeError); "
            f"call it on a Table or on `resource.meta.client`"
        )
    if kind is not HandleKind.CLIENT:
        return None
    if method in TABLE_ONLY:
        return f"`{method}` exists only on a Table resource: a client has no such method"
    if method not in ITEM_OPS:
        return None
    frame = Frame(project.functions.get(call.function or ""), project.modules[call.module])
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else call.node
    source = client_origin(project, recv, frame)
    if source == "meta":
        typed = typed_values(call)
        if typed:
            return (
                f"typed values ({', '.join(typed)}) passed through a resource's meta.client, "
                "which serializes plain Python values itself: a typed key fails (Type mismatch "
                'for key), a typed attribute is stored as a map {"M": {"S": ...}}'
            )
    problems = raw_problems(call) if source == "raw" else _no_table_name(call)
    if problems:
        return (
            "resource-style call on a low-level client, rejected before sending "
            f"(ParamValidationError): {'; '.join(problems)}"
        )
    return None


def _no_table_name(call: DynamoCall) -> list[str]:
    # every client, a resource's meta.client included, needs TableName on item operations
    if "TableName" in call.args or call.spread or call.positional:
        return []
    return ["no TableName"]


def _client_only_factories(project: Project) -> Iterator[Finding]:
    """`client.batch_writer()` / `client.Table(...)`: never recorded as DynamoDB calls."""
    m = meta("DG116")
    aws = {c.module for c in project.calls} | {
        name
        for name, mod in project.modules.items()
        if any(t.split(".")[0] in AWS_LIBS for t in mod.imports.values())
    }
    for fn in [f for f in project.functions.values() if f.module in aws]:
        frame = Frame(fn, project.module_of(fn))
        for node in walk(fn.node):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("batch_writer", "Table")
            ):
                continue
            recv = project.types.of(node.func.value, frame)
            if isinstance(recv, Handle) and recv.kind is HandleKind.CLIENT:
                yield _factory_finding(m, project, fn, node)


def _factory_finding(m: RuleMeta, project: Project, fn: FunctionInfo, node: ast.Call) -> Finding:
    assert isinstance(node.func, ast.Attribute)
    route = project.route_of(fn)
    attr = node.func.attr
    return m.finding(
        message=f"`{attr}` exists only on a boto3 resource: a client has no such method "
        "(AttributeError)",
        anchor=f"{fn.qualname}:{attr}",
        path=fn.path,
        line=node.lineno,
        column=node.col_offset + 1,
        end_line=node.end_lineno,
        route=route.label if route else None,
        evidence={"method": attr, "function": fn.qualname},
    )


# -- which client: a resource's meta.client (plain values) or a plain one (typed values) --

TYPE_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
VALUE_ARGS = ("Item", "Key", "ExpressionAttributeValues", "ExclusiveStartKey")
EXPRESSION_ARGS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")


def client_origin(project: Project, expr: ast.expr, frame: Frame, depth: int = 0) -> str | None:
    """`meta` for `x.meta.client`, `raw` for `boto3.client(...)`; None when not sure."""
    if depth > 8:
        return None
    if isinstance(expr, ast.Await):
        return client_origin(project, expr.value, frame, depth + 1)
    if isinstance(expr, ast.Attribute):
        if expr.attr == "client" and isinstance(expr.value, ast.Attribute):
            return "meta" if expr.value.attr == "meta" else None
        return _attr_origin(project, expr, frame, depth)
    if isinstance(expr, ast.Call):
        f = expr.func
        if isinstance(f, ast.Attribute) and f.attr in ("client", "create_client"):
            return "raw"
        target = project.resolve_call_target(expr, frame, project.types)
        if isinstance(target, FunctionInfo):
            inner = frame.enter(target, expr, project.module_of(target))
            return _first(project, project.locals_of(inner).returns, inner, depth)
        return None
    if isinstance(expr, ast.Name):
        return _name_origin(project, expr.id, frame, depth)
    return None


def _first(project: Project, exprs: list[ast.expr], frame: Frame, depth: int) -> str | None:
    found = {client_origin(project, e, frame, depth + 1) for e in exprs} - {None}
    return found.pop() if len(found) == 1 else None  # both kinds possible: not sure


def _name_origin(project: Project, name: str, frame: Frame, depth: int) -> str | None:
    if frame.fn is not None:
        assigned = project.locals_of(frame).assigns.get(name)
        if assigned:
            return _first(project, assigned, frame, depth)
        if is_param(frame, name):
            bound = bound_arg(frame, name)
            return client_origin(project, bound[0], bound[1], depth + 1) if bound else None
    sym = project.resolve_name(name, frame.module)
    if isinstance(sym, tuple):
        mod = project.modules[sym[0]]
        return _first(project, mod.globals.get(sym[1], []), Frame(None, mod), depth)
    return None


def _attr_origin(project: Project, expr: ast.Attribute, frame: Frame, depth: int) -> str | None:
    base = project.types.of(expr.value, frame)
    if isinstance(base, ClassRef):  # self.client = ... in __init__
        for cls in project.mro(base.qualname):
            init = project.functions.get(cls.methods.get("__init__", ""))
            values = cls.init_attrs.get(expr.attr, [])
            if init is not None and values:
                return _first(project, values, Frame(init, project.module_of(init)), depth)
        return None
    sym = project.resolve_expr(expr, frame.module)
    if isinstance(sym, tuple):
        mod = project.modules[sym[0]]
        return _first(project, mod.globals.get(sym[1], []), Frame(None, mod), depth)
    return None


def _literal_values(call: DynamoCall) -> Iterator[tuple[str, str, ast.expr]]:
    """(argument, attribute, value expression) of the call's dict-literal value maps."""
    for arg in VALUE_ARGS:
        node = call.args.get(arg)
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    yield arg, k.value, v


def _is_typed(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Dict)
        and len(value.keys) == 1
        and isinstance(value.keys[0], ast.Constant)
        and value.keys[0].value in TYPE_TAGS
    )


def typed_values(call: DynamoCall) -> list[str]:
    """Attributes given as typed `{"S": ...}` maps."""
    return [f"{arg}.{name}" for arg, name, v in _literal_values(call) if _is_typed(v)]


def raw_problems(call: DynamoCall) -> list[str]:
    """What a plain client rejects: no TableName, plain values, condition builders."""
    out = _no_table_name(call)
    plain = [
        f"{arg}.{name}"
        for arg, name, v in _literal_values(call)
        if isinstance(v, ast.JoinedStr) or (isinstance(v, ast.Constant) and v.value is not None)
    ]
    if plain:
        out.append(f"plain values where typed ones are expected ({', '.join(plain)})")
    for arg in EXPRESSION_ARGS:
        node = call.args.get(arg)
        if _is_builder(node):
            out.append(f"a Key()/Attr() builder as {arg}")
    return out


def _is_builder(node: ast.expr | None) -> bool:
    while isinstance(node, ast.BinOp | ast.UnaryOp):
        node = node.left if isinstance(node, ast.BinOp) else node.operand
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("Key", "Attr")
    )
