"""An object served only in a public state (an ownership check's alternative, DG103).

A read whose item the request refuses unless it is in a state the code fixes, published,
listed, public (`if nb.status != "published": raise 404`, `if not doc["public"]: raise`),
serves that item to anyone by design: a published notebook, a public profile. Refusing
one state (`if nb.status == "archived": raise`) lets every other state through and is no
such gate.
"""

from __future__ import annotations

import ast

from dynaguard.scan.aliases import table_name
from dynaguard.scan.frames import Event, Site
from dynaguard.scan.index import Project
from dynaguard.scan.queries.counters import stepped

__all__ = ["served_when_public"]


def served_when_public(project: Project, evs: list[Event], index: int) -> bool:
    """The read `evs[index]` is followed by a failing check that lets its item through
    only in fixed states (attributes compared with constants, not with the caller), and
    the request then changes nothing in that table but a counter: it looks at a public
    object (makes an offer on an active listing, enrolls in a published course). Declining
    a pending offer acts on the object itself, and is judged as any write is."""
    read = evs[index]
    if read.call is None or not read.call.is_read:
        return False
    table = table_name(project, read.call, read.frame)
    later = evs[index + 1 :]
    if table is None or any(_changes(project, e, table) for e in later):
        return False
    return any(
        e.kind == "check"
        and read.call.key in e.reads
        and e.attrs
        and not e.principal
        and isinstance(e.node, ast.If)
        and _allow_list(e.node.test)
        for e in later
    )


def _allow_list(test: ast.expr) -> bool:
    """`x != "published"`, `x not in ("a", "b")`, `not x`: true (so the request fails)
    for every state but the fixed ones; `item is None or ...` of one of them."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        gates = [v for v in test.values if not _missing(v)]
        return bool(gates) and all(_allow_list(v) for v in gates)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _flag(test.operand)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.NotEq | ast.NotIn):
        return False
    fixed = test.comparators[0]
    if isinstance(fixed, ast.Tuple | ast.List | ast.Set):
        return bool(fixed.elts) and all(isinstance(x, ast.Constant) for x in fixed.elts)
    return isinstance(fixed, ast.Constant) and fixed.value is not None


def _missing(test: ast.expr) -> bool:
    """`item is None`, `not item`: the item's absence, not its state."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name)
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.ops[0], ast.Is)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def _flag(e: ast.expr) -> bool:
    """An item's own flag: `doc.public`, `doc["public"]`, `doc.get("public")`."""
    if isinstance(e, ast.Attribute):
        return True
    if isinstance(e, ast.Subscript):
        return isinstance(e.slice, ast.Constant)
    return (
        isinstance(e, ast.Call)
        and isinstance(e.func, ast.Attribute)
        and e.func.attr == "get"
        and all(isinstance(a, ast.Constant) for a in e.args)
    )


def _changes(project: Project, e: Event, table: str) -> bool:
    """A write to the table that does more than step a counter (`ADD enrolled :one`)."""
    if e.kind != "write" or e.call is None or table_name(project, e.call, e.frame) != table:
        return False
    return not stepped(project, e.call, Site(None, e.frame))
