"""DynamoDB calls in every style, the project call graph, and route reachability."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.model import (
    CallSite,
    ClassRef,
    DynamoCall,
    FunctionInfo,
    Handle,
    HandleKind,
)
from dynaguard.scan.offload import OFFLOAD, forwarder
from dynaguard.scan.reach import first_writes, reach
from dynaguard.scan.symbols import ModuleInfo, dotted, route_handlers
from dynaguard.scan.transact import transact_items

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

# Method names that exist only on DynamoDB objects: recorded even when the receiver's
# type is unknown (e.g. a table handed in from code outside the scanned tree).
DYNAMO_ONLY = frozenset(
    {
        "put_item",
        "update_item",
        "delete_item",
        "get_item",
        "transact_write_items",
        "batch_write_item",
        "batch_get_item",
        "transact_get_items",
    }
)
# query/scan are generic names (SQLAlchemy...): only with a DynamoDB-only keyword.
DYNAMO_KWARGS = frozenset(
    {
        "KeyConditionExpression",
        "FilterExpression",
        "TableName",
        "IndexName",
        "ExclusiveStartKey",
        "ProjectionExpression",
    }
)
PYNAMO_MODEL_OPS = {
    "get": "get_item",
    "safe_get": "get_item",  # dyntastic: None instead of raising when there is no item
    "query": "query",
    "scan": "scan",
    "batch_get": "batch_get_item",
    "batch_write": "batch_write_item",
    "count": "query",
}
PYNAMO_ITEM_OPS = {
    "save": "put_item",
    "update": "update_item",
    "delete": "delete_item",
    "refresh": "get_item",
}
# PynamoDB's item methods take these arguments positionally too (`save(condition)`)
PYNAMO_POSITIONAL = {
    "save": ("condition",),
    "delete": ("condition",),
    "update": ("actions", "condition"),
}
# Every method a DynamoDB object has (boto3 client operations, Table/service resource,
# batch writer, PynamoDB Model): a call by another name cannot be a DynamoDB call, so its
# receiver is typed only when a project class defines a method of that name.
CLIENT_OPERATIONS = frozenset(
    [
        "batch_execute_statement",
        "batch_get_item",
        "batch_write_item",
        "create_backup",
        "create_global_table",
        "create_table",
        "delete_backup",
        "delete_item",
        "delete_resource_policy",
        "delete_table",
        "describe_backup",
        "describe_continuous_backups",
        "describe_contributor_insights",
        "describe_endpoints",
        "describe_export",
        "describe_global_table",
        "describe_global_table_settings",
        "describe_import",
        "describe_kinesis_streaming_destination",
        "describe_limits",
        "describe_table",
        "describe_table_replica_auto_scaling",
        "describe_time_to_live",
        "disable_kinesis_streaming_destination",
        "enable_kinesis_streaming_destination",
        "execute_statement",
        "execute_transaction",
        "export_table_to_point_in_time",
        "get_item",
        "get_resource_policy",
        "import_table",
        "list_backups",
        "list_contributor_insights",
        "list_exports",
        "list_global_tables",
        "list_imports",
        "list_tables",
        "list_tags_of_resource",
        "put_item",
        "put_resource_policy",
        "query",
        "restore_table_from_backup",
        "restore_table_to_point_in_time",
        "scan",
        "tag_resource",
        "transact_get_items",
        "transact_write_items",
        "untag_resource",
        "update_continuous_backups",
        "update_contributor_insights",
        "update_global_table",
        "update_global_table_settings",
        "update_item",
        "update_kinesis_streaming_destination",
        "update_table",
        "update_table_replica_auto_scaling",
        "update_time_to_live",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "close",
    ]
)
DYNAMO_METHODS = CLIENT_OPERATIONS | {
    "Table",
    "tables",
    "batch_writer",
    "load",
    "reload",
    "delete",
    "update",
    "put",
    "wait_until_exists",
    "wait_until_not_exists",
    "get",
    "save",
    "refresh",
    "count",
    "batch_get",
    "batch_write",
    "safe_get",
    "exists",
    "get_attributes",
    "serialize",
    "deserialize",
}
OFFLOADED = ":offloaded"  # the tag of the call a worker thread makes (DynamoCall.key)


def collect(project: Project) -> None:
    """Record DynamoDB calls and call sites in every function, then route reachability."""
    for mod in project.modules.values():
        for fn in list(mod.functions.values()):
            try:
                _scan_function(project, mod, fn)
            except RecursionError:  # its calls are unread: findings may be missing
                why = f"{fn.qualname}: expression nesting too deep; its calls were not analysed"
                project.truncated.append((mod.path, fn.node.lineno, why))
        _scan_function(project, mod, None)
    for route in project.routes:
        reach(project, route)
    # an endpoint's own role check gates only the writes after it: decided once reached
    firsts = first_writes(project)
    for route in project.routes:
        if route.privileged is None:
            first = firsts.get((route.file, route.line, route.function))
            route.privileged = project.behaviour.endpoint_privileged(route, first)


def _scan_function(project: Project, mod: ModuleInfo, fn: FunctionInfo | None) -> None:
    frame = Frame(fn, mod)
    loc = project.locals_of(frame)
    owner = fn.qualname if fn else None
    methods = project.method_names
    # a factory's endpoints are indexed (and copied per call) on their own: their calls
    # are theirs, not the factory's
    inner = [(h.lineno, h.end_lineno or h.lineno) for h in route_handlers(fn.node)] if fn else []
    for call in loc.calls:
        if inner and any(a <= call.lineno <= b for a, b in inner):
            continue
        awaited = id(call) in loc.awaited
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr not in DYNAMO_METHODS and f.attr not in methods:
            # neither DynamoDB nor a project method: at most a module function (`mod.f()`)
            sym = project.resolve_expr(f, mod) if f.attr not in OFFLOAD else None
            if isinstance(sym, FunctionInfo):
                project.callsites.setdefault(owner, []).append(
                    CallSite(owner, sym.qualname, call, awaited, False)
                )
            if f.attr not in OFFLOAD and forwarder(project, call, mod) is None:
                continue
        dyn = (
            _transaction(frame, call, loc.assigns, loc.calls)
            or _dynamo_call(project, frame, call, awaited)
            or _offloaded(project, frame, call, awaited)
        )
        if dyn is not None:
            project.calls.append(dyn)
            continue
        target, offset = offload_target(project, frame, call)
        offloaded = target is not None
        if target is None:
            resolved = project.resolve_call_target(call, frame, project.types)
            if isinstance(resolved, ClassRef):
                resolved = project.method(resolved.qualname, "__init__")
            target = resolved
        if isinstance(target, FunctionInfo):
            project.callsites.setdefault(owner, []).append(
                CallSite(owner, target.qualname, call, awaited, offloaded, offset)
            )


def offload_target(
    project: Project, frame: Frame, call: ast.Call
) -> tuple[FunctionInfo | None, int]:
    """The function handed to to_thread & co (or to a `forwarder`), and where its own
    arguments start."""
    name = (dotted(call.func, frame.module) or "").rsplit(".", 1)[-1]
    if name not in OFFLOAD and forwarder(project, call, frame.module) is None:
        return None, 0
    for i, arg in enumerate(call.args[: 2 if name in OFFLOAD else 1]):
        sym = project.resolve_expr(arg, frame.module)
        if isinstance(sym, FunctionInfo):
            return sym, i + 1
        if isinstance(arg, ast.Attribute):
            recv = project.types.of(arg.value, frame)
            if isinstance(recv, ClassRef):
                found = project.method(recv.qualname, arg.attr)
                if found is not None:
                    return found, i + 1
    return None, 0


def _offloaded(project: Project, frame: Frame, call: ast.Call, awaited: bool) -> DynamoCall | None:
    """`to_thread(client.put_item, Item=...)`, `run_in_executor(None, partial(t.put_item,
    ...))`, `await db(t.put_item, Item=...)`: the DynamoDB call the worker thread makes,
    recorded as awaited (it does not block the loop; a forwarder that calls it in place
    blocks as the call of it does) and located at the offloading call."""
    inner = offloaded_call(call, frame.module, project)
    if inner is not None and isinstance(inner.func, ast.Name):
        inner = offloaded_call(inner, frame.module, project)  # db(collect, Model.scan)
    if inner is None or not isinstance(inner.func, ast.Attribute):
        return None
    direct = forwarder(project, call, frame.module) == "direct"
    return _dynamo_call(project, frame, inner, awaited if direct else True)


def offloaded_call(
    call: ast.Call, mod: ModuleInfo, project: Project | None = None
) -> ast.Call | None:
    """The call a worker thread makes for `to_thread(f, a, k=b)` & co (`f(a, k=b)`), or
    that a project's `forwarder` makes, made up at the offloading call's place and tagged
    apart from it (fixpoint keys)."""
    name = (dotted(call.func, mod) or "").rsplit(".", 1)[-1]
    if not call.args:
        return None
    if name not in OFFLOAD and (project is None or forwarder(project, call, mod) is None):
        return None
    skip = 1 if name == "run_in_executor" else 0  # the executor comes first
    fn = call.args[skip] if len(call.args) > skip else None
    args, kws = call.args[skip + 1 :], call.keywords
    if isinstance(fn, ast.Call) and (dotted(fn.func, mod) or "").endswith("partial"):
        args, kws = [*fn.args[1:], *args], fn.keywords
        fn = fn.args[0] if fn.args else None
    if not isinstance(fn, ast.Name | ast.Attribute):
        return None
    inner = ast.Call(func=fn, args=args, keywords=kws)
    ast.copy_location(inner, call)
    inner.end_lineno, inner.end_col_offset = call.end_lineno, call.end_col_offset
    vars(inner)["dg_tag"] = OFFLOADED  # keyed apart from the offloading call (fixpoint)
    return inner


def _dynamo_call(
    project: Project, frame: Frame, call: ast.Call, awaited: bool
) -> DynamoCall | None:
    f = call.func
    if not isinstance(f, ast.Attribute):
        return None
    handle = project.types.of(f.value, frame)
    if isinstance(handle, ClassRef):
        handle = _model_self(project, frame, handle)
    if not isinstance(handle, Handle):
        if not _boto_shaped(call, f.attr):
            return None
        handle = Handle(HandleKind.UNKNOWN)
    op = _operation(handle, f.attr)
    if op is None:
        return None
    fn = frame.fn
    named = {k.arg: k.value for k in call.keywords if k.arg}
    if (
        handle.kind is HandleKind.PYNAMODB_ITEM
        and f.attr == "update"
        and _dyntastic(project, handle)
    ):  # dyntastic: `item.update(A.x.set(1), A.y.add(2), condition=...)`, every one an action
        named.setdefault("actions", ast.copy_location(ast.List(list(call.args), ast.Load()), call))
    elif handle.kind is HandleKind.PYNAMODB_ITEM:  # `item.save(c)`, `item.update(acts, c)`
        for name, value in zip(PYNAMO_POSITIONAL.get(f.attr, ()), call.args, strict=False):
            named.setdefault(name, value)
    return DynamoCall(
        function=fn.qualname if fn else None,
        module=frame.module.name,
        path=frame.module.path,
        node=call,
        method=f.attr,
        operation=op,
        handle=handle,
        awaited=awaited,
        args=named,
        positional=list(call.args),
        spread=[k.value for k in call.keywords if k.arg is None],
    )


def _transaction(
    frame: Frame, call: ast.Call, assigns: dict[str, list[ast.expr]], calls: list[ast.Call]
) -> DynamoCall | None:
    """PynamoDB's `TransactWrite(...)`: a transact_write_items of the items its block adds."""
    items = transact_items(call, frame.module, assigns, calls)
    if items is None:
        return None
    return DynamoCall(
        frame.fn.qualname if frame.fn else None, frame.module.name, frame.module.path, call,
        "TransactWrite", "transact_write_items", Handle(HandleKind.TRANSACTION), False,
        {"TransactItems": items}, list(call.args), [],
    )  # fmt: skip


def _model_self(project: Project, frame: Frame, ref: ClassRef) -> ClassRef | Handle:
    """`self.save()` in a PynamoDB model's own method is the item's save (`cls.get()` in a
    classmethod the model's): PynamoDB's methods are not project methods."""
    cls = project.classes.get(ref.qualname)
    if cls is None or not cls.is_pynamodb or frame.fn is None:
        return ref
    decorators = {dotted(d, frame.module) for d in frame.fn.node.decorator_list}
    classmethod_ = any(d and d.rsplit(".", 1)[-1] == "classmethod" for d in decorators)
    kind = HandleKind.PYNAMODB_MODEL if classmethod_ else HandleKind.PYNAMODB_ITEM
    return Handle(kind, cls.qualname)


def _boto_shaped(call: ast.Call, method: str) -> bool:
    """A DynamoDB-named call on an unknown object that looks like boto3's API.

    boto3 takes keyword arguments only, in CamelCase (`Key=`, `Item=`, `TableName=`);
    `backend.put_item(name, item)` or `conn.delete_item(hk, condition=c)` is someone
    else's method that happens to share the name.
    """
    if call.args:
        return False
    kwargs = {k.arg for k in call.keywords if k.arg}
    if any(not k[:1].isupper() for k in kwargs):
        return False
    if method in DYNAMO_ONLY:
        return bool(kwargs) or any(k.arg is None for k in call.keywords)
    return method in ("query", "scan") and bool(kwargs & DYNAMO_KWARGS)


def _operation(handle: Handle, method: str) -> str | None:
    if handle.kind is HandleKind.PYNAMODB_MODEL:
        return PYNAMO_MODEL_OPS.get(method)
    if handle.kind is HandleKind.PYNAMODB_ITEM:
        return PYNAMO_ITEM_OPS.get(method)
    if handle.kind is HandleKind.BATCH_WRITER:
        return f"batch_writer.{method}" if method in ("put_item", "delete_item") else None
    if handle.kind is HandleKind.RESOURCE and method in ("Table", "meta"):
        return None
    if method.startswith("_") or method in ("meta", "batch_writer", "Table"):
        return None
    return method


def _dyntastic(project: Project, handle: Handle) -> bool:
    """The item's model is a dyntastic one (its update takes actions as *args)."""
    return any(b.startswith("dyntastic.") for c in project.mro(handle.table or "") for b in c.bases)
