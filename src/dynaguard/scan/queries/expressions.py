"""Expression text as the code builds it: every static string an expression argument is.

`expression_texts(project, call, site)` yields (argument, text) for each statically known
text of a call's five expression arguments, in transaction items too: a constant, a
string assembled by `+` or an f-string, `", ".join([...])` over constants or over a
generator on a constant tuple or a dict literal's keys (`", ".join(f"{k} = :{k}" for k in
("status", "note"))`), `str.format` and `%s` over constants, expressions passed through a
`**kwargs` spread, and for a partly dynamic string the literal fragments around its
dynamic pieces (whole words only). `reserved_words()` is DynamoDB's list. The grammar
(which words are names) is `dynaguard.core.expressions`, shared with the DG108 fix.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from dynaguard.core.expressions import EXPRESSIONS
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.walk import walk

__all__ = ["expression_texts", "reserved_words"]

MAX_ITEMS = 64  # a generator over more constants than this is not unrolled
PADDED_FORMAT = re.compile(r"\{[^{}]*[:!][^{}]*\}")  # `{:>999999}`: not rendered
PADDED_PERCENT = re.compile(r"%(?![s%])")  # only `%s` (and `%%`) are rendered


@cache
def reserved_words() -> frozenset[str]:
    """DynamoDB's reserved words (upper case), read once from the package data."""
    text = resources.files("dynaguard.scan").joinpath("data/dynamodb-reserved-words.txt")
    return frozenset(
        w.strip().upper() for w in text.read_text(encoding="utf-8").splitlines() if w.strip()
    )


def expression_texts(project: Project, call: DynamoCall, site: Site) -> Iterator[tuple[str, str]]:
    """(argument name, text) of every statically known expression string of the call."""
    exprs: list[tuple[str, ast.expr]] = [(k, call.args[k]) for k in EXPRESSIONS if k in call.args]
    items = call.args.get("TransactItems")
    if items is not None:  # [{"Update": {"UpdateExpression": "...", ...}}, ...]
        for node in walk(items):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value in EXPRESSIONS:
                        exprs.append((str(k.value), v))
    for kind, expr in exprs:
        for text in _texts(project, expr, site.frame):
            yield kind, text
    if call.spread:  # `table.update_item(**kwargs)`: the keys the spread dict is built with
        for kind in EXPRESSIONS:
            if kind not in call.args:
                found = project.values.arg(call, kind, site.frame)
                for text in sorted(found.texts) if found is not None else []:
                    yield kind, text


def _texts(
    project: Project, expr: ast.expr, frame: Frame, seen: frozenset[str] = frozenset()
) -> list[str]:
    texts = sorted(project.values.of(expr, frame).texts)
    if texts:
        return texts
    if isinstance(expr, ast.Name) and frame.fn is not None and expr.id not in seen:
        # `update = "SET " + ...` then `UpdateExpression=update`: the one assignment (local
        # names followed however many there are; `seen` stops `a = b; b = a`)
        assigned = project.locals_of(frame).assigns.get(expr.id, [])
        if len(assigned) != 1:
            return []
        return _texts(project, assigned[0], frame, seen | {expr.id})
    joined = _joined(project, expr, frame)
    if joined is None:
        joined = _formatted(project, expr, frame)
    if joined is not None:
        return [joined]
    # a concatenation or f-string: whole when every piece is known, else its literal
    # fragments (whole tokens only)
    parts = [
        p if p is not None or e is None else _joined(project, e, frame) for p, e in _parts(expr)
    ]
    if parts and None not in parts:
        return ["".join(p or "" for p in parts)]
    out: list[str] = []
    for i, piece in enumerate(parts):
        if piece is None:
            continue
        text = piece
        if i > 0 and parts[i - 1] is None:
            text = re.sub(r"^\w+", "", text)  # `{x}_status`: the token is cut, not `status`
        if i + 1 < len(parts) and parts[i + 1] is None:
            text = re.sub(r"\w+$", "", text)
        out.append(text)
    return out if any(p is None for p in parts) else []


def _joined(project: Project, expr: ast.expr, frame: Frame) -> str | None:
    """`", ".join(["id", "name"])` (or of a constant list, or of a generator over one)."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "join"
        and len(expr.args) == 1
    ):
        return None
    if isinstance(expr.func.value, ast.Constant) and isinstance(expr.func.value.value, str):
        sep: str | None = expr.func.value.value
    else:
        sep = project.values.text(expr.func.value, frame)
    if isinstance(expr.args[0], ast.GeneratorExp | ast.ListComp):
        parts = _unrolled(project, expr.args[0], frame)
    else:
        items = _literal(project, expr.args[0], frame)
        parts = [project.values.text(e, frame) for e in items] if items is not None else None
    if sep is None or parts is None or None in parts:
        return None
    return sep.join(p for p in parts if p is not None)


def _formatted(project: Project, expr: ast.expr, frame: Frame) -> str | None:
    """`"SET {} = :v".format("a")` and `"SET %s = :v" % "a"` over constants."""
    try:
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "format"
            and not expr.keywords
        ):
            template = project.values.text(expr.func.value, frame)
            args = [project.values.text(a, frame) for a in expr.args]
            # plain `{}` / `{0}` fields only: a width or conversion is not an expression's
            if template is not None and None not in args and not PADDED_FORMAT.search(template):
                return template.format(*args)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            template = project.values.text(expr.left, frame)
            items = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
            args = [project.values.text(a, frame) for a in items]
            if template is not None and None not in args and not PADDED_PERCENT.search(template):
                return template % tuple(args)
    except (IndexError, KeyError, ValueError, TypeError):  # a template that does not fit
        return None
    return None


def _literal(project: Project, expr: ast.expr, frame: Frame) -> list[ast.expr] | None:
    """The elements of a list or tuple literal (the keys of a dict literal, `d.keys()`),
    written here or assigned once to a name."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "keys"
        and not expr.args
    ):
        expr = expr.func.value
    if isinstance(expr, ast.Name):
        found = project.locals_of(frame).assigns.get(expr.id) if frame.fn else None
        found = found or frame.module.globals.get(expr.id)
        expr = found[0] if found and len(found) == 1 else expr
    if isinstance(expr, ast.Dict) and all(k is not None for k in expr.keys):
        return [k for k in expr.keys if k is not None]
    return list(expr.elts) if isinstance(expr, ast.List | ast.Tuple) else None


def _unrolled(
    project: Project, gen: ast.GeneratorExp | ast.ListComp, frame: Frame
) -> list[str | None] | None:
    """`f"{k} = :{k}" for k in ("a", "b")` as ["a = :a", "b = :b"] (one loop, no filter)."""
    if len(gen.generators) != 1 or gen.generators[0].ifs or gen.generators[0].is_async:
        return None
    loop = gen.generators[0]
    items = _literal(project, loop.iter, frame)
    if items is not None:
        values: list[str | None] = [project.values.text(e, frame) for e in items]
    else:
        values = [*_keys(project, loop.iter, frame)]  # a dict or a dumped model, as traced
    if not isinstance(loop.target, ast.Name) or not values or len(values) > MAX_ITEMS:
        return None
    if None in values:
        return None
    return [_render(gen.elt, loop.target.id, v or "") for v in values]


def _keys(project: Project, it: ast.expr, frame: Frame) -> list[str]:
    """The keys a loop over a dict may see: its known keys, a dumped model's fields."""
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "keys":
        it = it.func.value
    value = project.values.of(it, frame)
    keys = [k for k, _ in value.fields or ()]
    for dump in value.dumps:
        for cls in project.mro(dump.model or ""):
            keys += [
                stmt.target.id
                for stmt in cls.node.body
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id not in dump.excluded
                and (dump.included is None or stmt.target.id in dump.included)
            ]
    return list(dict.fromkeys(keys))


def _render(expr: ast.expr, var: str, value: str) -> str | None:
    """The text of an element expression with the loop variable bound to `value`."""
    if isinstance(expr, ast.Name):
        return value if expr.id == var else None
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, ast.FormattedValue):
        if expr.conversion != -1 or expr.format_spec is not None:
            return None
        return _render(expr.value, var, value)
    if isinstance(expr, ast.JoinedStr):
        pieces = [_render(v, var, value) for v in expr.values]
        return None if None in pieces else "".join(p or "" for p in pieces)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _render(expr.left, var, value), _render(expr.right, var, value)
        return None if left is None or right is None else left + right
    return None


def _parts(expr: ast.expr) -> list[tuple[str | None, ast.expr | None]]:
    """An f-string or `+` chain as pieces: (text, None) for a literal, (None, the
    expression) for a dynamic piece (None, None inside an f-string)."""
    out: list[tuple[str | None, ast.expr | None]] = []
    todo = [expr]  # a worklist, not recursion: `a + a + ...` nests as deep as it is long
    while todo:
        e = todo.pop()
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            todo += [e.right, e.left]  # the left operand's pieces come first
        elif isinstance(e, ast.Constant) and isinstance(e.value, str):
            out.append((e.value, None))
        elif isinstance(e, ast.JoinedStr):
            out += [
                (v.value, None)
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                else (None, None)
                for v in e.values
            ]
        else:
            out.append((None, e))
    return out
