"""A step a route repeats as a series: a write inside a loop over a count or over a fixed
list (`for week in range(body.weeks): table.put_item(...)`, `for t in (A, B): ...`), in its
function or around the call that leads to it. The items make one thing the request asked
for (a recurring booking's weeks), and each iteration commits on its own: a failure
part-way leaves part of it, several writes of one request (DG109).

Not a series:
- a loop over a collection (`for row in rows`, chunks of `range(0, len(rows), 25)`, what
  a read returned): each element is its own record, handled on its own, and a retry
  finishes the rest;
- a loop that leaves after its write (a `break` or `return` in its body: a retry, a
  search for a free slot), which runs it to success once;
- a `while` loop: a server's (a WebSocket's messages) or a retry's.
"""

from __future__ import annotations

import ast
from weakref import WeakKeyDictionary

from dynaguard.scan.frames import Event, Frame
from dynaguard.scan.walk import nodes, own_nodes, own_statements

__all__ = ["repeated"]

Loop = ast.For | ast.AsyncFor

# per function: id() of every node a series loop's body holds, with that loop; kept while
# the tree lives (weakly keyed by the function's node)
_LOOPED: WeakKeyDictionary[ast.AST, dict[int, Loop]] = WeakKeyDictionary()


def repeated(ev: Event) -> Loop | None:
    """The series loop that repeats the step, in its function or in a caller on the way."""
    frame: Frame | None = ev.frame
    node: ast.AST | None = ev.node
    while frame is not None and frame.fn is not None and node is not None:
        loop = _looped(frame.fn.node).get(id(node))
        if loop is not None:
            return loop
        node, frame = frame.call, frame.caller
    return None


def _looped(fn: ast.AST) -> dict[int, Loop]:
    found = _LOOPED.get(fn)
    if found is None:
        found = {}
        for loop in (s for s in own_statements(fn) if isinstance(s, Loop) and _series(s)):
            body = [n for s in loop.body for n in (s, *own_nodes(s))]
            if not any(isinstance(n, ast.Break | ast.Return) for n in body):
                for n in body:
                    found.setdefault(id(n), loop)
        _LOOPED[fn] = found
    return found


def _series(loop: Loop) -> bool:
    """A loop over a count (`range(n)`, no `len()` of a collection) or a literal list."""
    it = loop.iter
    if isinstance(it, ast.Tuple | ast.List | ast.Set):
        return True
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
        return not any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "len"
            for n in nodes(it)
        )
    return False
