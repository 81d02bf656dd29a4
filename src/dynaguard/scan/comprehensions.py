"""Values of dict comprehensions: `{k: serialize(v) for k, v in d.items()}` keeps `d`'s keys.

A TypeSerializer helper (`to_ddb(data)`), a filter (`if v is not None`) or a rename of the
values rebuilds the same record: its fields are the source dict's, each value still coming
from where the source's came from. Any other comprehension is one value of unknown keys.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.value import Value, join

if TYPE_CHECKING:
    from dynaguard.scan.protocols import ValuesAPI as Values


def dict_comp(vs: Values, e: ast.DictComp, frame: Frame) -> Value:
    """The record a dict comprehension builds."""
    source = _items_of(e)
    if source is not None:
        found = vs.of(source, frame)
        if found.fields is not None:
            return replace(found, texts=frozenset())
    return replace(join(vs.of(e.key, frame), vs.of(e.value, frame)), fields=None, texts=frozenset())


def _items_of(e: ast.DictComp) -> ast.expr | None:
    """`d` in `{k: f(v) for k, v in d.items()}`, when the key is `k` itself and the value
    is computed from `v` alone."""
    if len(e.generators) != 1:
        return None
    gen = e.generators[0]
    target, it = gen.target, gen.iter
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
        return None
    k, v = target.elts
    if not (isinstance(k, ast.Name) and isinstance(v, ast.Name)):
        return None
    if not (isinstance(e.key, ast.Name) and e.key.id == k.id):
        return None
    if not (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Attribute)
        and it.func.attr == "items"
        and not it.args
    ):
        return None
    names = {n.id for n in ast.walk(e.value) if isinstance(n, ast.Name)}
    return it.func.value if v.id in names and k.id not in names else None
