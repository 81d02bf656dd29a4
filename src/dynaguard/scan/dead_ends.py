"""Checks a request cannot get past: a helper whose every path after the check raises.

`begin()` claims an idempotency key; when the claim fails it reads the record, refuses
(`if record["request_hash"] != h: raise ...`) and otherwise raises a replay. Nothing the
route writes after `begin()` returns follows those checks: the only way out of the helper
past them is an exception. A write inside the helper, after the check, still does.
"""

from __future__ import annotations

import ast

from dynaguard.scan.frames import Event, Frame

__all__ = ["dead_end"]


def dead_end(check: Event, write: Event) -> bool:
    """The check's function only raises once past it, and the write is outside that call."""
    fn = check.frame.fn
    if fn is None or _inside(write.frame, check.frame):
        return False
    body = fn.node.body
    at = next((i for i, s in enumerate(body) if _holds(s, check.node)), None)
    if at is None or not isinstance(body[-1], ast.Raise):
        return False
    rest = body[at:]
    return not any(isinstance(n, ast.Return) for s in rest for n in ast.walk(s))


def _inside(frame: Frame | None, outer: Frame) -> bool:
    while frame is not None:
        if frame.fn is outer.fn and frame.call is outer.call:
            return True
        frame = frame.caller
    return False


def _holds(stmt: ast.stmt, node: ast.AST) -> bool:
    return any(n is node for n in ast.walk(stmt))
