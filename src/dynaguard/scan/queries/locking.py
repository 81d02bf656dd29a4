"""Optimistic locking written by hand, for DG102.

The condition holds a version attribute to what was read and the update steps it:
`SET version = :next` where `:next` is `item["version"] + 1`, `SET version = version +
:one`, or `ADD version :one`, under `version = :read` (or `Attr("version").eq(...)`).
Writers that keep the convention fail when anything changed the item since the read, so
the write re-asserts whatever a check decided on it, as PynamoDB's VersionAttribute does
(scan/versions.py).
"""

from __future__ import annotations

import re

from dynaguard.core.expressions import update_clauses
from dynaguard.scan.flow import condition, mentions
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.provenance import Origin, Value

__all__ = ["version_locked"]

PLACEHOLDER = re.compile(r"^:\w+$")


def version_locked(project: Project, call: DynamoCall, frame: Frame) -> bool:
    """The update steps an attribute its condition holds to the value read."""
    expr = call.args.get("UpdateExpression")
    text = project.values.text(expr, frame) if call.operation == "update_item" and expr else None
    cond = condition(project, call, frame) if text is not None else None
    if text is None or cond is None:
        return False
    names = _fields(project.values.arg(call, "ExpressionAttributeNames", frame))
    values = _fields(project.values.arg(call, "ExpressionAttributeValues", frame))
    stepped: set[str] = set()
    for verb, parts in update_clauses(text):
        for part in parts:
            if verb == "ADD":
                target = part.split()[0] if part.split() else ""
                stepped.add(_name(target, names))
            elif verb == "SET" and "=" in part:
                left, right = (s.strip() for s in part.split("=", 1))
                attr = _name(left, names)
                if _steps(attr, left, right, values):
                    stepped.add(attr)
    return any(mentions(cond, frozenset({a})) for a in stepped if a)


def _steps(attr: str, left: str, right: str, values: dict[str, Value]) -> bool:
    """`v = v + :one`, or `v = :next` bound to the value read for `v` (plus a step)."""
    if "+" in right and re.search(rf"(?<![\w:#]){re.escape(left)}(?!\w)", right):
        return True  # the attribute itself, not a placeholder that contains its name
    if not PLACEHOLDER.match(right) or right not in values:
        return False
    return any(
        s.origin is Origin.ITEM and s.path[-1:] == (attr,) for s in values[right].sources
    ) and any(s.origin is Origin.CONSTANT for s in values[right].sources)


def _fields(value: Value | None) -> dict[str, Value]:
    return dict(value.fields) if value is not None and value.fields is not None else {}


def _name(token: str, names: dict[str, Value]) -> str:
    """`#v` through ExpressionAttributeNames (when it names one attribute), else itself."""
    found = names.get(token)
    return next(iter(found.texts)) if found is not None and len(found.texts) == 1 else token
