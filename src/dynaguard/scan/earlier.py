"""What a guard reads: a variable's field as it stood at the guard, before the function's
later writes to that field (`if usage.exports >= LIMIT: raise`, then
`usage.exports = usage.exports + 1` and a save).

The local value tables are flow-insensitive: a field set anywhere in the function is what
every read of it sees, which is right for what a write sends, and wrong for a guard that
runs before the field is set: the guard compares what the request read. For a field the
function sets only after the guard, the guard's read is the field of the variable's
assigned values (the item read).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.provenance import Origin, Value, join
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["as_read", "recomputed"]


def as_read(project: Project, test: ast.expr, frame: Frame) -> Value:
    """The fields an expression reads (`x.f`, `x["f"]` of a local `x`) that the function
    sets only from the expression's line on, as they were read: the assigned values' fields
    (a guard's test; the right-hand side of `x.f = x.f + 1` itself)."""
    if frame.fn is None:
        return join()
    loc = project.locals_of(frame)
    parts: list[Value] = []
    for n in nodes(test):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
            name, key, sets = n.value.id, n.attr, loc.attributes.get(n.value.id, [])
        elif (
            isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Name)
            and isinstance(n.slice, ast.Constant)
            and isinstance(n.slice.value, str)
        ):
            name, key = n.value.id, n.slice.value
            sets = [(k, e) for k, e in loc.subscripts.get(name, []) if k is not None]
        else:
            continue
        lines = [e.lineno for k, e in sets if k == key]
        assigned = loc.assigns.get(name, [])
        if not lines or min(lines) < test.lineno or not assigned:
            continue  # not set in this function, or set before the guard: as the tables say
        base = join(*(project.values.of(v, frame) for v in assigned))
        known = base.field(key)
        parts.append(
            known if known is not None else Value(frozenset(s.child(key) for s in base.sources))
        )
    return join(*parts)


def recomputed(project: Project, name: str, frame: Frame) -> frozenset[str]:
    """Fields of the local `name` the function sets from the same field as read
    (`usage.exports = usage.exports + 1`, `item["stock"] -= n`): a step computed in Python,
    which a concurrent request's step overwrites."""
    if frame.fn is None:
        return frozenset()
    loc = project.locals_of(frame)
    sets = [*loc.attributes.get(name, []), *loc.subscripts.get(name, [])]
    out: set[str] = set()
    for key, expr in sets:
        if key is None:
            continue
        read = as_read(project, expr, frame)
        if any(s.origin is Origin.ITEM and s.path[-1:] == (key,) for s in read.all_sources()):
            out.add(key)
    return frozenset(out)
