"""PynamoDB's TransactWrite as the scan sees every transaction: one `transact_write_items`.

    with TransactWrite(connection=c) as tx:
        tx.condition_check(Team, tid, condition=Team.owner_id == me)
        tx.update(Team(tid), actions=[...], condition=c)

calls.py records the `TransactWrite(...)` call as a `transact_write_items` whose
`TransactItems` list is made from the items the block adds (`{"Update": {"Key": Team(tid),
"ConditionExpression": c}}`, a Put's model as its Item), so the transaction rules (DG110,
DG109) read it as they read a boto3 client's, items guarding each other included.
"""

from __future__ import annotations

import ast

from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes

__all__ = ["PYNAMO_TRANSACT", "transact_items"]

# TransactWrite's methods: the action each adds, and the position of its key argument
PYNAMO_TRANSACT = {
    "update": ("Update", 0),
    "save": ("Put", 0),
    "delete": ("Delete", 0),
    "condition_check": ("ConditionCheck", 1),  # (model class, hash key)
}


def transact_items(
    call: ast.Call, mod: ModuleInfo, assigns: dict[str, list[ast.expr]], calls: list[ast.Call]
) -> ast.List | None:
    """The TransactItems of a `TransactWrite(...)` call (None for any other call): the items
    added through the name it is bound to (`with ... as tx`, `tx = ...`) in the same scope."""
    if dotted(call.func, mod) != "pynamodb.transactions.TransactWrite":
        return None
    names = {n for n, values in assigns.items() if any(v is call for v in values)}
    elts: list[ast.expr] = []
    for c in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        f = c.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id in names
            and f.attr in PYNAMO_TRANSACT
        ):
            elts.append(_item(c, f.attr))
    made = ast.List(elts=elts, ctx=ast.Load())
    for i, node in enumerate(n for n in nodes(made) if not hasattr(n, "lineno")):
        ast.copy_location(node, call)
        vars(node)["dg_tag"] = f":transact{i}"  # each keyed apart (fixpoint.node_key)
    return made


def _item(call: ast.Call, method: str) -> ast.Dict:
    action, at = PYNAMO_TRANSACT[method]
    kws = {k.arg: k.value for k in call.keywords if k.arg}
    body = {
        "Item" if action == "Put" else "Key": call.args[at] if len(call.args) > at else None,
        "ConditionExpression": kws.get("condition"),
        "actions": kws.get("actions") if action == "Update" else None,
    }
    entry = ast.Dict(
        keys=[ast.Constant(k) for k, v in body.items() if v is not None],
        values=[v for v in body.values() if v is not None],
    )
    return ast.Dict(keys=[ast.Constant(action)], values=[entry])
