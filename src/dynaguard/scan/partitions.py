"""Items of one partition told apart by their sort keys (single-table design).

A query `Key("pk").eq(org) & Key("sk").begins_with("MEMBER#")` reads the members of an
organisation; a write keyed `{"pk": org, "sk": f"DEVICE#{id}"}` is a device of the same
partition, not one of the items read: the literal text of its sort key does not hold
the prefix every member's starts with. Both are read from the code (the prefix the query
fixes, the literals the written key is built from), never from attribute names.

The other way round, a write keyed by the read item's own key attributes
(`Key={"pk": item["pk"], "sk": item["sk"]}`) addresses that very item (`own_key`).

Under one prefix, the item a check tests may still not be the one written: when the check
tests the caller's own member item (an earlier check on the same query picked it by
comparing it with the principal), a write whose sort key holds the prefix but is made from
a request value rather than the principal (`MEMBER#{body.user_id}`) is another member's.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Event, Frame
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.value import REQUEST_ORIGINS, Origin, Value
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


def own_key(read: DynamoCall, write: DynamoCall, rk: Value, wk: Value) -> bool:
    """The written key is the read item's own key attributes, each from the attribute of
    the same name, named as the read's key (the table's) or, read through an index, any,
    on the table the read names the same way."""
    own = [
        {
            s.call == read.key and s.path[-1:] == (n,)
            for s in v.sources
            if s.origin is not Origin.CONSTANT
        }
        for n, v in wk.fields or ()
    ]
    named = "IndexName" in read.args or set(rk.keys()) <= set(wk.keys())
    same = read.key is not None and bool(own) and all(f == {True} for f in own) and named
    return same and _table(read) == _table(write)


def _table(call: DynamoCall) -> str:
    """How the call names its table: `TableName=`'s text, else its receiver's last name."""
    named = call.args.get("TableName")
    func = call.node.func
    expr = named if named is not None else func.value if isinstance(func, ast.Attribute) else func
    return ast.unparse(expr).rsplit(".", 1)[-1]


def other_items(project: Project, read: DynamoCall, frame: Frame, written: Value) -> bool:
    """The query fixes a sort-key prefix that the written key's attribute does not hold."""
    for attr, prefix in _prefixes(project, read, frame):
        value = written.field(attr)
        parts = _literals(value) if value is not None else set()
        if parts and not any(prefix in s or s in prefix for s in parts):
            return True
    return False


def beside_callers(project: Project, read: Event, picks: list[Event], written: Value) -> bool:
    """The query's range item the request checks is the caller's own (one of `picks`, the
    checks before, compared an item of this read with the principal), and the written sort
    key holds the range's prefix but is made from request values, not the principal: the
    admin's membership checked, another member written."""
    call = read.call
    if call is None or not any(c.principal and call.key in c.reads for c in picks):
        return False
    for attr, prefix in _prefixes(project, call, read.frame):
        value = written.field(attr)
        if value is None or not any(prefix in s for s in _literals(value)):
            continue
        origins = value.origins()
        if Origin.PRINCIPAL not in origins and origins & REQUEST_ORIGINS:
            return True
    return False


def _prefixes(project: Project, read: DynamoCall, frame: Frame) -> list[tuple[str, str]]:
    """(attribute, prefix) of each `Key(attr).begins_with(prefix)` in the query's condition."""
    expr = read.args.get("KeyConditionExpression")
    if isinstance(expr, ast.Name):  # cond = Key(...) & Key(...); query(KeyConditionExpression=cond)
        assigned = project.locals_of(frame).assigns.get(expr.id, [])
        expr = assigned[0] if len(assigned) == 1 else None
    out: list[tuple[str, str]] = []
    for node in nodes(expr) if read.operation == "query" and expr is not None else []:
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f, key = node.func, getattr(node.func, "value", None)
        if not (isinstance(f, ast.Attribute) and f.attr == "begins_with"):
            continue
        name = _text(key.args[0]) if isinstance(key, ast.Call) and key.args else None
        prefix = project.values.text(node.args[0], frame)
        if name and prefix:
            out.append((name, prefix))
    return out


def _text(expr: ast.expr) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def _literals(value: Value) -> set[str]:
    """The literal text of a written key value: its static values, else the fragments it
    was built from (f"DEVICE#{id}" -> DEVICE#); one holding the prefix may be that item."""
    return set(value.texts) or set(value.strings)
