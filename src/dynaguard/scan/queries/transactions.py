"""Transaction questions for DG110: the items a `transact_write_items` writes, however the
list is built (a literal, a local list grown with append/extend/+=, a helper's return), and
whether an item only credits an existing item (the recipient's side of a transfer)."""

from __future__ import annotations

import ast
import re

from dynaguard.core.expressions import ADD_ACTION, requires_item, update_clauses
from dynaguard.scan.frames import Frame, Site, bound_arg
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, FunctionInfo, Route
from dynaguard.scan.queries.counters import entry_credit
from dynaguard.scan.queries.inputs import non_negative
from dynaguard.scan.report import KEY_NAME
from dynaguard.scan.value import REQUEST_ORIGINS, Origin, Value, join

__all__ = [
    "TARGET",
    "Entry",
    "credit_entry",
    "credits",
    "entry_key",
    "key_attributes",
    "keyed_by_caller",
    "owner_conditioned",
    "transact_entries",
    "transact_items",
    "written_key",
]

TARGET = {"Update": "Key", "Delete": "Key", "Put": "Item"}  # where each action names its item

# `SET balance = balance + :amt`, `SET n = :amt + n` (ADD: core.expressions.ADD_ACTION),
# `SET n = if_not_exists(n, :zero) + :amt`: the placeholder is added to what is there
_PLUS = re.compile(
    r"^\s*(#?\w+)\s*=\s*(?:(?:\1|if_not_exists\s*\(\s*\1\s*,\s*:\w+\s*\))\s*\+\s*(:\w+)"
    r"|(:\w+)\s*\+\s*(?:\1|if_not_exists\s*\(\s*\1\s*,\s*:\w+\s*\)))\s*$",
    re.I,
)
_STAMP = re.compile(r"^\s*#?\w+\s*=\s*(:\w+)\s*$")  # SET updated_at = :now

Element = tuple[ast.expr, Frame]  # an expression of one list element, and where it is written
Entry = tuple[str, Value, ast.expr | None, Frame]


def transact_items(project: Project, call: DynamoCall, site: Site) -> list[tuple[str, Value]]:
    """(action, body) of each TransactItems entry (Update/Delete/Put/ConditionCheck)."""
    return [(action, body) for action, body, _, _ in transact_entries(project, call, site)]


def transact_entries(project: Project, call: DynamoCall, site: Site) -> list[Entry]:
    """(action, body, the body's expression when written as a literal entry, its frame) of
    each TransactItems entry: the expression answers what a value cannot (PynamoDB's
    `actions=[Model.likes.add(1)]` in a TransactWrite entry)."""
    expr = call.args.get("TransactItems")
    if expr is None:
        return []
    out: list[Entry] = []
    for elt, frame in _elements(project, expr, site.frame, set()):
        fields = list(project.values.of(elt, frame).fields or ())
        literal = isinstance(elt, ast.Dict) and len(elt.values) == 1 and len(fields) == 1
        body = elt.values[0] if literal and isinstance(elt, ast.Dict) else None
        out += [(action, value, body, frame) for action, value in fields]
    return out


def key_attributes(item: Value) -> Value:
    """The key-like attributes of an item (id, pk, sk, *_id...)."""
    return join(*(v for k, v in item.fields or () if KEY_NAME.match(k)))


def entry_key(action: str, body: Value) -> Value | None:
    """The key an entry writes: an Update's or Delete's `Key`, a Put's key attributes."""
    key = body.field(TARGET[action]) if action in TARGET else None
    return key_attributes(key) if key is not None and action == "Put" else key


def written_key(action: str, body: Value) -> Value | None:
    """The same, but a Put of an item with no attributes named apart (a PynamoDB model,
    `Like(post_id, me)`) is judged by all it is made from."""
    key = body.field(TARGET[action]) if action in TARGET else None
    return key_attributes(key) if key is not None and action == "Put" and key.fields else key


def keyed_by_caller(action: str, body: Value) -> bool:
    """The entry's key holds the principal."""
    key = entry_key(action, body)
    return key is not None and Origin.PRINCIPAL in key.origins()


def owner_conditioned(body: Value) -> bool:
    """The item's condition compares with the caller (the principal in its text or values)."""
    cond = body.field("ConditionExpression")
    values = body.field("ExpressionAttributeValues")
    owners = {o for v in (cond, values) if v is not None for o in v.origins()}
    return cond is not None and Origin.PRINCIPAL in owners


def credit_entry(project: Project, route: Route, entry: Entry) -> bool:
    """`credits` for an entry, a PynamoDB TransactWrite `update` (`Model.n.add(v)`) too."""
    _, body, expr, frame = entry
    return credits(project, route, body) or entry_credit(project, route, expr, frame)


def credits(project: Project, route: Route, body: Value) -> bool:
    """An `Update` that only adds amounts that cannot be negative to an item it requires to
    exist: the recipient's side of a transfer. It can neither take from the item's owner
    (a negative amount, a subtraction) nor overwrite or create anything."""
    cond = body.field("ConditionExpression")
    if cond is None or not any(requires_item(t) for t in cond.texts):
        return False
    update, values = body.field("UpdateExpression"), body.field("ExpressionAttributeValues")
    if update is None or values is None or len(update.texts) != 1:
        return False
    added: list[str] = []
    stamps: list[str] = []  # a server value set beside the credit (`updated_at = :now`)
    clauses = update_clauses(next(iter(update.texts)))
    for verb, actions in clauses:
        for action in actions:
            found = ADD_ACTION if verb == "ADD" else _PLUS if verb == "SET" else None
            m = found.match(action) if found is not None else None
            stamp = _STAMP.match(action) if verb == "SET" and m is None else None
            if m is None and stamp is None:
                return False  # a REMOVE, a DELETE, a SET that overwrites or subtracts
            added += [g for g in m.groups() if g and g.startswith(":")] if m else []
            stamps += [stamp.group(1)] if stamp else []
    amounts = [values.field(p) for p in added]
    stamped = [values.field(p) for p in stamps]
    return (
        bool(added)
        and all(a is not None and _unsigned(project, route, a) for a in amounts)
        and all(v is not None and _server_made(v) for v in stamped)
    )


def _server_made(value: Value) -> bool:
    """Only the server makes it (a clock, a generator): nothing the client or a constant
    sets on someone else's item (`SET frozen = :true` is not a stamp)."""
    inner = value.field("S") or value.field("N") or value
    origins = inner.origins()
    return bool(origins) and origins <= {Origin.SERVER}


def _unsigned(project: Project, route: Route, value: Value) -> bool:
    """The amount is a non-negative constant ("5" as text) or a request value the app
    bounds below at zero; `{"N": ...}` is looked through."""
    inner = value.field("N") or value
    sources = inner.all_sources()
    for s in sources:
        if s.origin is Origin.CONSTANT:
            if not inner.texts or not all(_number(t) for t in inner.texts):
                return False
        elif s.origin not in REQUEST_ORIGINS or not non_negative(project, route, s):
            return False
    return bool(sources)


def _number(text: str) -> bool:
    try:
        return float(text) >= 0
    except ValueError:
        return False


def _elements(project: Project, expr: ast.expr, frame: Frame, seen: set[str]) -> list[Element]:
    """The element expressions a list-valued expression is built from (each in its frame)."""
    if isinstance(expr, ast.List | ast.Tuple):
        out: list[Element] = []
        for e in expr.elts:
            if isinstance(e, ast.Starred):  # [*base, {...}]
                out += _elements(project, e.value, frame, seen)
            else:
                out.append((e, frame))
        return out
    if isinstance(expr, ast.ListComp):
        return [(expr.elt, frame)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [
            *_elements(project, expr.left, frame, seen),
            *_elements(project, expr.right, frame, seen),
        ]
    if isinstance(expr, ast.Name):
        return _named(project, expr.id, frame, seen)
    if isinstance(expr, ast.Call):
        return _returned(project, expr, frame, seen)
    return []


def _named(project: Project, name: str, frame: Frame, seen: set[str]) -> list[Element]:
    """A local list: its assignments, what is appended or extended, or the caller's argument."""
    key = f"{frame.fn.qualname if frame.fn else frame.module.name}:{name}@{frame.depth}"
    if key in seen:
        return []
    seen.add(key)
    local = project.locals_of(frame)
    out: list[Element] = []
    for value in local.assigns.get(name, []):
        out += _elements(project, value, frame, seen)
    for c in local.calls:
        f = c.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == name:
            if f.attr in ("append", "insert") and c.args:
                out.append((c.args[-1], frame))
            elif f.attr == "extend" and c.args:
                out += _elements(project, c.args[0], frame, seen)
    if name not in local.assigns and (bound := bound_arg(frame, name)) is not None:
        out += _elements(project, bound[0], bound[1], seen)  # a helper's parameter
    return out


def _returned(project: Project, call: ast.Call, frame: Frame, seen: set[str]) -> list[Element]:
    """What a project helper returns, followed into it (`items = build_items(pid)`)."""
    target = project.values.target(call, frame)
    if not isinstance(target, FunctionInfo):
        return []
    # one visit per call site: `build(a) + build(b)` follows both, a recursion stops
    here = f"{target.qualname}<-{frame.module.name}:{call.lineno}:{call.col_offset}"
    if here in seen:
        return []
    seen.add(here)
    inner = frame.enter(target, call, project.module_of(target))
    return [e for r in project.locals_of(inner).returns for e in _elements(project, r, inner, seen)]
