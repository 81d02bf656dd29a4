"""Which events of a request can follow which: a check inside a branch that leaves the
endpoint (`if not changes: return require_member(...)`) never precedes a write outside it.

Events are placed in the outermost function of their call chain (the endpoint): at the
call that led to them, or nowhere (position None) when a dependency runs them, before the
body.
"""

from __future__ import annotations

import ast

from dynaguard.scan.frames import Event, Frame

_EXITS = (ast.Return, ast.Raise)
Position = tuple[int, int]  # (line, column)


def outer_line(frame: Frame, line: int) -> tuple[Frame, int]:
    """The outermost frame of the chain, and the line in it where `line` of `frame` runs
    (0 for what a dependency runs: dependencies are entered through no call)."""
    top, at = outer(frame, (line, 0))
    return top, at[0] if at is not None else 0


def outer(frame: Frame, at: Position) -> tuple[Frame, Position | None]:
    """The outermost frame of the chain, and the position in it where `at` of `frame` runs."""
    where: Position | None = at
    while frame.caller is not None:
        call = frame.call
        where = (call.lineno, call.col_offset) if call is not None else None
        frame = frame.caller
    return frame, where


def left_before(check: Event, write: Event) -> bool:
    """The check runs only in a branch that returns or raises before reaching the write."""
    node = check.node
    top, at = outer(check.frame, (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
    other, to = outer(write.frame, (write.line, 0))
    if top.fn is None or other.fn is not top.fn or at is None or to is None:
        return False
    return _exits(top.fn.node.body, at, to[0])


def _exits(body: list[ast.stmt], at: Position, to: int) -> bool:
    """Some block around `at` (below the function's own body) ends by returning or raising
    and does not hold line `to`."""
    block = body
    while True:
        stmt = next((s for s in block if _start(s) <= at <= _stop(s)), None)
        blocks = _blocks(stmt) if stmt is not None else []
        inner = next((b for b in blocks if b and _start(b[0]) <= at <= _stop(b[-1])), None)
        if inner is None:
            return False  # `at` is in this statement's own test or expression
        if isinstance(inner[-1], _EXITS) and not inner[0].lineno <= to <= _stop(inner[-1])[0]:
            return True
        block = inner


def _start(stmt: ast.stmt) -> Position:
    return stmt.lineno, stmt.col_offset


def _stop(stmt: ast.stmt) -> Position:
    return stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(stmt, ast.If | ast.For | ast.AsyncFor | ast.While):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return [stmt.body]
    if isinstance(stmt, ast.Try):
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    if isinstance(stmt, ast.Match):
        return [c.body for c in stmt.cases]
    return []
