"""boto3's two DynamoDB APIs: which methods each object has, and what value shapes it takes.

A `Handle` (inferred by the engine) says what an object is: a service resource, a `Table`,
or a client, and for a client whether it is a resource's `meta.client` (`plain=True`: it
serializes plain Python values like the resource) or a low-level client (`plain=False`:
typed `{"S": ...}` values). This module holds the method sets of each API and reads the
literal value maps of a call. The sets come from boto3's resource model and botocore's
service model (boto3 and botocore 1.40.61).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, FunctionInfo, Handle, HandleKind
from dynaguard.scan.value import Origin
from dynaguard.scan.walk import nodes, signature

__all__ = [
    "CLIENT_OPS",
    "ITEM_OPS",
    "RESOURCE_METHODS",
    "TABLE_METHODS",
    "TABLE_ONLY",
    "TRANSACT_OPS",
    "ResourceCallOnClient",
    "builder_expressions",
    "has_table_name",
    "plain_values",
    "resource_calls_on_clients",
    "typed_values",
]

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
ITEM_OPS = frozenset({"put_item", "get_item", "update_item", "delete_item", "query", "scan"})
TRANSACT_OPS = frozenset({"transact_write_items", "transact_get_items"})
AWS_LIBS = frozenset({"boto3", "aioboto3", "aiobotocore", "botocore"})
# resource factories a client does not have (never recorded as DynamoDB operations)
FACTORIES = ("batch_writer", "Table")
TYPE_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
VALUE_ARGS = ("Item", "Key", "ExpressionAttributeValues", "ExclusiveStartKey")
EXPRESSION_ARGS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")


@dataclass(frozen=True, slots=True)
class ResourceCallOnClient:
    """`client.batch_writer()` / `client.Table(...)`: a resource factory called on a client."""

    function: FunctionInfo
    method: str
    line: int
    column: int  # 1-based
    end_line: int


def resource_calls_on_clients(project: Project) -> Iterator[ResourceCallOnClient]:
    """Resource-only factories called on an object the engine types as a client."""
    aws = {c.module for c in project.calls} | {
        name
        for name, mod in project.modules.items()
        if any(t.split(".")[0] in AWS_LIBS for t in mod.imports.values())
    }
    for fn in [f for f in project.functions.values() if f.module in aws]:
        frame = Frame(fn, project.module_of(fn))
        # the body's calls (nested defs included) are in its locals: no walk of the body
        head = [n for h in signature(fn.node) for n in nodes(h)]
        for node in [*project.locals_of(frame).calls, *head]:
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in FACTORIES
            ):
                continue
            recv = project.types.of(node.func.value, frame)
            if isinstance(recv, Handle) and recv.kind is HandleKind.CLIENT:
                yield ResourceCallOnClient(
                    fn,
                    node.func.attr,
                    node.lineno,
                    node.col_offset + 1,
                    node.end_lineno or node.lineno,
                )


def has_table_name(call: DynamoCall) -> bool:
    """TableName is given (or may be, through `**kwargs` or positional arguments)."""
    return "TableName" in call.args or bool(call.spread) or bool(call.positional)


def typed_values(call: DynamoCall) -> list[str]:
    """Attributes of the call's literal value maps given as typed `{"S": ...}` maps."""
    return [f"{arg}.{name}" for arg, name, v in _literal_values(call) if _is_typed(v)]


def plain_values(call: DynamoCall) -> list[str]:
    """Attributes of the call's literal value maps given as plain strings or numbers."""
    return [
        f"{arg}.{name}"
        for arg, name, v in _literal_values(call)
        if isinstance(v, ast.JoinedStr) or (isinstance(v, ast.Constant) and v.value is not None)
    ]


# values that are strings or numbers whatever the code does with them: request
# parameters (FastAPI gives str/int/float) and server-made ids and times
_SCALAR_ORIGINS = frozenset(
    {Origin.PATH, Origin.QUERY, Origin.HEADER, Origin.COOKIE, Origin.SERVER}
)


def plain_sources(project: Project, call: DynamoCall) -> list[str]:
    """Attributes of the call's literal value maps given as variables that can only hold
    plain strings or numbers on some path (`{"id": str(uuid4())}`, `{"sku": sku}`)."""
    out: list[str] = []
    frames = [s.frame for s in project.sites(call)]
    for arg, name, v in _literal_values(call):
        if isinstance(v, ast.Constant | ast.JoinedStr | ast.Dict):
            continue  # judged by plain_values / typed_values
        for frame in frames:
            value = project.values.of(v, frame)
            # a whole parameter only: `item["id"]` of a `dict` parameter has any shape
            scalar = all(
                src.origin in _SCALAR_ORIGINS and (not src.path or src.origin is Origin.SERVER)
                for src in value.sources
            )
            if value.sources and scalar and value.fields is None and not value.dumps:
                out.append(f"{arg}.{name}")
                break
    return out


def builder_expressions(call: DynamoCall) -> list[str]:
    """Expression arguments given as `Key()`/`Attr()` condition builders."""
    return [arg for arg in EXPRESSION_ARGS if _is_builder(call.args.get(arg))]


def _literal_values(call: DynamoCall) -> Iterator[tuple[str, str, ast.expr]]:
    """(argument, attribute, value expression) of the call's dict-literal value maps, and
    of each literal entry of a transaction (`TransactItems[1].Delete.Key`)."""
    yield from _value_maps(call.args, "")
    entries = call.args.get("TransactItems")
    for i, entry in enumerate(entries.elts if isinstance(entries, ast.List | ast.Tuple) else []):
        for action, body in _pairs(entry):
            if isinstance(body, ast.Dict):
                yield from _value_maps(dict(_pairs(body)), f"TransactItems[{i}].{action}.")


def _value_maps(args: dict[str, ast.expr], prefix: str) -> Iterator[tuple[str, str, ast.expr]]:
    for arg in VALUE_ARGS:
        node = args.get(arg)
        for name, v in _pairs(node) if node is not None else ():
            yield f"{prefix}{arg}", name, v


def _pairs(node: ast.expr) -> list[tuple[str, ast.expr]]:
    """The constant-keyed entries of a dict literal."""
    if not isinstance(node, ast.Dict):
        return []
    return [
        (k.value, v)
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    ]


def _is_typed(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Dict)
        and len(value.keys) == 1
        and isinstance(value.keys[0], ast.Constant)
        and value.keys[0].value in TYPE_TAGS
    )


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
