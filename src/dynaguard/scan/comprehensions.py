"""Values of dict comprehensions: `{k: serialize(v) for k, v in d.items()}` keeps `d`'s keys.

A TypeSerializer helper (`to_ddb(data)`), a filter of the values (`if v is not None`) or a
rename of the values rebuilds the same record: its fields are the source dict's, each value
still coming from where the source's came from; `if k in ALLOWED` keeps the fixed
collection's keys only. Any other comprehension is one value of unknown keys.
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
        kept = _kept_keys(vs, e, frame)
        if kept is not None and (found.fields is not None or found.dumps):
            fields = found.fields
            if fields is not None and kept is not ALL:
                fields = tuple((k, v) for k, v in fields if k in kept)
            dumps = found.dumps  # `body.model_dump()`: the model's fields, as filtered
            if kept is not ALL:
                dumps = tuple(
                    replace(d, included=kept if d.included is None else d.included & kept)
                    for d in dumps
                )
            affix = _affix(e.key)
            if fields is not None and affix is not None and affix != ("", ""):
                # `{f":{k}": v ...}`: ExpressionAttributeValues named after the keywords
                fields = tuple((f"{affix[0]}{k}{affix[1]}", v) for k, v in fields)
            return replace(found, fields=fields, dumps=dumps, texts=frozenset())
    return replace(join(vs.of(e.key, frame), vs.of(e.value, frame)), fields=None, texts=frozenset())


ALL: frozenset[str] = frozenset({"*"})  # every key of the source is kept


def _kept_keys(vs: Values, e: ast.DictComp, frame: Frame) -> frozenset[str] | None:
    """The source's keys the comprehension's filters keep: all of them when the filters
    only test the value (`if v is not None`); those of a fixed collection for `if k in
    ALLOWED`; None (unknown) for any other filter."""
    gen = e.generators[0]
    k = gen.target.elts[0] if isinstance(gen.target, ast.Tuple) else None
    if not isinstance(k, ast.Name):
        return None
    kept = ALL
    for test in gen.ifs:
        names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
        if k.id not in names:
            continue  # a test of the value only
        if not (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == k.id
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.In)
        ):
            return None
        allowed = vs.of(test.comparators[0], frame)
        found = frozenset(allowed.keys() if allowed.fields else allowed.strings)
        if not found:
            return None
        kept = found if kept is ALL else kept & found
    return kept


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
    if _affix(e.key, k.id) is None:
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


def _affix(key: ast.expr, name: str | None = None) -> tuple[str, str] | None:
    """The text around the loop's key in the comprehension's key: `k` ("", ""), `f":{k}"`
    (":", ""); None for any other key (`name`: the loop variable, when known)."""
    if isinstance(key, ast.Name):
        return ("", "") if name in (None, key.id) else None
    if not isinstance(key, ast.JoinedStr):
        return None
    parts = key.values
    held = [i for i, p in enumerate(parts) if isinstance(p, ast.FormattedValue)]
    if len(held) != 1:
        return None
    value = parts[held[0]]
    assert isinstance(value, ast.FormattedValue)
    if not isinstance(value.value, ast.Name) or value.conversion != -1 or value.format_spec:
        return None
    if name is not None and value.value.id != name:
        return None
    texts = [p.value if isinstance(p, ast.Constant) else None for p in parts]
    before, after = texts[: held[0]], texts[held[0] + 1 :]
    if any(not isinstance(t, str) for t in (*before, *after)):
        return None
    return "".join(str(t) for t in before), "".join(str(t) for t in after)
