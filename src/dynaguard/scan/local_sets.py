"""What a local dict or object holds once the function set its keys and attributes
(`item["owner"] = me`, `obj.status = s`, `item.update(body)`, `key[self.range_key] = v`)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.locals import ELEMENTS, anchor
from dynaguard.scan.value import Value, join, overridden

if TYPE_CHECKING:
    from dynaguard.scan.protocols import ValuesAPI

__all__ = ["with_sets"]


def with_sets(
    vs: ValuesAPI, base: Value, sets: list[tuple[str | None, ast.expr]], frame: Frame
) -> Value:
    """`base` with each (key, value) set over it: a named key a field, a list's appended
    elements its contents, a merged dict's fields its own."""
    base = overridden(base, (k for k, _ in sets if k is not None and k != ELEMENTS))
    fields = list(base.fields or ())
    extra: list[Value] = []
    for key, expr in sets:
        name, value = _named(vs, key, expr, frame)
        v = vs.of(value, frame)
        if name == ELEMENTS:
            extra.append(v)  # what a list holds is what was appended to it
        elif name is not None:
            fields.append((name, v))
        elif v.fields is not None or v.dumps:
            fields += list(v.fields or ())
            extra.append(replace(v, fields=None))
    merged = join(base, *extra)
    return replace(merged, fields=tuple(fields))


def _named(
    vs: ValuesAPI, key: str | None, expr: ast.expr, frame: Frame
) -> tuple[str | None, ast.expr]:
    """`d[self.range_key] = v` (a one-entry dict in the tables): the key when it evaluates
    here to one text (the receiver's `range_key = "user_id"`), else none, as `update`."""
    if key is not None or anchor(expr) is expr:
        return key, expr
    assert isinstance(expr, ast.Dict) and expr.keys[0] is not None
    named = vs.of(expr.keys[0], frame).texts
    return (next(iter(named)) if len(named) == 1 else None), anchor(expr)
