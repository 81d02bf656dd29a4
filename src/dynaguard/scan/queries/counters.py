"""Counters of a relation the caller holds: a like's `likes + 1` on someone else's recipe.

Liking a post writes two items: the caller's own record of the relation, keyed by the
principal together with the post's id (`Like(post_id, me)`), and a step of the post's
counter (`Post(post_id).update(actions=[Post.likes.add(1)], condition=...)`). The counter
is on an object the caller does not own, and it is meant to be: by behaviour it is no
broken object-level authorization when

- the update only adds a number the code fixes (`ADD likes :one` with a constant,
  `SET n = n - :one`, PynamoDB `Model.likes.add(-1)`), setting nothing else, so the
  client chooses neither the attribute nor the amount;
- its condition requires the item to exist (`attribute_exists(pk)`, PynamoDB
  `Model.id.exists()` or a comparison such as `Model.published == True`, false on a
  missing item), so it cannot create one;
- the same request writes the caller's own record of the relation: a key with the
  principal and the same request value as the counter's key.

A counter stepped with no record of the caller's beside it (anyone may inflate it at
will), a client-chosen amount, or any other attribute set stays unowned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from dynaguard.core.expressions import ADD_ACTION, requires_item, update_clauses
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind, Route
from dynaguard.scan.queries.inputs import non_negative
from dynaguard.scan.queries.updates import actions_of
from dynaguard.scan.report import request_sources
from dynaguard.scan.value import REQUEST_ORIGINS, Origin, Value

__all__ = ["counter_step", "entry_credit", "entry_step", "relation_held", "stepped"]

# `SET n = n + :one`, `SET n = n - :one`, `SET n = if_not_exists(n, :z) + :one` (ADD: ADD_ACTION)
_STEP = re.compile(
    r"^\s*(#?\w+)\s*=\s*(?:\1|if_not_exists\s*\(\s*\1\s*,\s*(:\w+)\s*\))\s*[+-]\s*(:\w+)\s*$"
)
# PynamoDB conditions false on a missing item: a comparison, `exists()`, `between()`...
_PRESENT = frozenset({"exists", "between", "startswith", "contains", "is_in"})
_COMPARE = (ast.Eq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def counter_step(project: Project, call: DynamoCall, site: Site) -> bool:
    """An update that only adds fixed numbers to an item its condition requires to exist."""
    if not stepped(project, call, site):
        return False
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        return _requires_item(project, call.args.get("condition"), site.frame)
    cond = project.values.arg(call, "ConditionExpression", site.frame)
    return cond is not None and any(requires_item(t) for t in cond.texts | cond.strings)


def stepped(project: Project, call: DynamoCall, site: Site) -> frozenset[str]:
    """The attributes an update only adds fixed numbers to, whatever its condition (empty
    when it sets, removes, or adds anything else): the counters the server keeps."""
    if call.operation != "update_item":
        return frozenset()
    frame = site.frame
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        return frozenset(_adds(project, actions, frame))
    update = project.values.arg(call, "UpdateExpression", frame)
    values = project.values.arg(call, "ExpressionAttributeValues", frame)
    if update is None or values is None or len(update.texts) != 1:
        return frozenset()
    names = project.values.arg(call, "ExpressionAttributeNames", frame)
    attrs: set[str] = set()
    placeholders: list[str] = []
    for verb, parts in update_clauses(next(iter(update.texts))):
        for part in parts:
            m = ADD_ACTION.match(part) if verb == "ADD" else _STEP.match(part)
            if m is None or verb not in ("ADD", "SET"):
                return frozenset()  # a REMOVE, a DELETE, a SET of anything but a step
            placeholders += [g for g in m.groups() if g and g.startswith(":")]
            attrs.add(_named(part.split()[0].split("=")[0], names))
    found = [values.field(p) for p in placeholders]
    fixed = bool(found) and all(v is not None and _fixed(v) for v in found)
    return frozenset(attrs) if fixed else frozenset()


def _named(word: str, names: Value | None) -> str:
    """`#n` resolved through ExpressionAttributeNames when it names one attribute."""
    found = names.field(word) if names is not None and word.startswith("#") else None
    return next(iter(found.texts)) if found is not None and len(found.texts) == 1 else word


def entry_step(project: Project, body: ast.expr | None, frame: Frame) -> bool:
    """The same, for a PynamoDB `TransactWrite`'s `update(...)` (scan/transact.py's entry
    `{"Key": ..., "ConditionExpression": condition, "actions": actions}`)."""
    fields = _entry(body)
    return bool(_adds(project, fields.get("actions"), frame)) and _requires_item(
        project, fields.get("ConditionExpression"), frame
    )


def entry_credit(project: Project, route: Route, body: ast.expr | None, frame: Frame) -> bool:
    """A PynamoDB `TransactWrite` `update(...)` entry that only adds amounts that cannot be
    negative (a literal, or a request value bounded at zero) to an item its condition
    requires: a transfer's credit side (`Account.balance.add(body.points)`, `PositiveInt`)."""
    fields = _entry(body)
    adds = _add_calls(project, fields.get("actions"), frame)
    if not adds or not _requires_item(project, fields.get("ConditionExpression"), frame):
        return False
    for _, amount, at in adds:
        if _number(amount):
            if ast.literal_eval(amount) < 0:
                return False
            continue
        sources = project.values.of(amount, at).all_sources()
        if not sources or not all(
            s.origin in REQUEST_ORIGINS and non_negative(project, route, s) for s in sources
        ):
            return False
    return True


def _entry(body: ast.expr | None) -> dict[str, ast.expr]:
    """The literal entry scan/transact.py builds, by its keys."""
    if not isinstance(body, ast.Dict):
        return {}
    return {
        k.value: v
        for k, v in zip(body.keys, body.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }


def _add_calls(
    project: Project, actions: ast.expr | None, frame: Frame
) -> list[tuple[str, ast.expr, Frame]]:
    """(attribute, amount, the amount's frame) of a list of PynamoDB actions that all add
    one value (`Model.n.add(x)`); empty when any action does anything else."""
    found = actions_of(project, actions, frame) if actions is not None else []
    if any(verb != "add" or value is None for verb, _, value, _ in found):
        return []
    return [(attr, value, at) for _, attr, value, at in found if value is not None]


def relation_held(key: Value, written: Iterable[Value | None]) -> bool:
    """One of the request's written keys is the caller's record of a relation to the
    counter's object: it holds the principal and a request value the counter's key holds."""
    mine = request_sources(key)
    return bool(mine) and any(
        w is not None and Origin.PRINCIPAL in w.origins() and request_sources(w) & mine
        for w in written
    )


def _adds(project: Project, actions: ast.expr | None, frame: Frame) -> list[str]:
    """The attributes of a list of actions that each add a number written in the code
    (`[Model.likes.add(1)]`, or a local bound once to such a list); empty when any action
    does anything else."""
    found = _add_calls(project, actions, frame)
    return [attr for attr, _, _ in found] if all(_number(a) for _, a, _ in found) else []


def _number(node: ast.expr | None) -> bool:
    if node is None:
        return False
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return False
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fixed(value: Value) -> bool:
    """A constant number: an int or float literal, or "1" as text; `{"N": ...}` is looked
    through."""
    inner = value.field("N") or value
    sources = inner.all_sources()
    if not sources or any(s.origin is not Origin.CONSTANT for s in sources):
        return False
    if not inner.texts:
        return all(s.name in ("int", "float") for s in sources)
    for text in inner.texts:
        try:
            float(text)
        except ValueError:
            return False
    return True


def _requires_item(
    project: Project, cond: ast.expr | None, frame: Frame, seen: frozenset[str] = frozenset()
) -> bool:
    """A PynamoDB condition that a missing item fails (`&`: either side; `|`: both)."""
    if isinstance(cond, ast.Name):  # cond = Model.id.exists(); update(..., condition=cond)
        assigned = project.locals_of(frame).assigns.get(cond.id, [])
        seen, cond = seen | {cond.id}, assigned[0] if len(assigned) == 1 else None
        if cond is not None and any(
            isinstance(n, ast.Name) and n.id in seen for n in ast.walk(cond)
        ):
            return False  # `cond = cond & ...`: built up from a value not known here
    if isinstance(cond, ast.BinOp) and isinstance(cond.op, ast.BitAnd | ast.BitOr):
        left = _requires_item(project, cond.left, frame, seen)
        right = _requires_item(project, cond.right, frame, seen)
        return left or right if isinstance(cond.op, ast.BitAnd) else left and right
    if isinstance(cond, ast.Compare):
        return (
            len(cond.ops) == 1
            and isinstance(cond.ops[0], _COMPARE)
            and isinstance(cond.left, ast.Attribute)
        )
    return (
        isinstance(cond, ast.Call)
        and isinstance(cond.func, ast.Attribute)
        and cond.func.attr in _PRESENT
    )
