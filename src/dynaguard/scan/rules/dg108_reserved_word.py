"""Reserved word in a DynamoDB expression.

## What it does
Reports a DynamoDB call whose `UpdateExpression`, `ConditionExpression`,
`KeyConditionExpression`, `FilterExpression` or `ProjectionExpression` (also inside
`TransactItems`) names an attribute that is one of DynamoDB's ~570 reserved words
(`status`, `name`, `data`, `owner`, `user`, `type`, `value`, `timestamp`, `ttl`, `role`...)
without an `#alias` from `ExpressionAttributeNames`. The expression text may be a literal or
statically built (constants, f-strings, concatenation, across helpers). Names used only as
`Item`/`Key` keys, PynamoDB models and `Key()`/`Attr()` builders are never reported: they do
not go into expression text, or are aliased automatically.

## Why is this bad?
DynamoDB rejects the whole request with `ValidationException: Invalid UpdateExpression:
Attribute name is a reserved keyword`. The code path usually works in a unit test with a
mock that does not parse expressions, and fails in production on the first call: the
update, the condition that protects it, or the query never runs.

## Example
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET status = :s",
    ExpressionAttributeValues={":s": "shipped"},
)
```

## Use instead
```python
table.update_item(
    Key={"id": item_id},
    UpdateExpression="SET #status = :s",
    ExpressionAttributeNames={"#status": "status"},
    ExpressionAttributeValues={":s": "shipped"},
)
```
Or use the guard library's `OwnedTable` (every name it writes is aliased), or the
`Key()`/`Attr()` condition builders.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.index import Project
from dynaguard.scan.infer import Frame
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.report import at_call, meta

EXPRESSIONS = (
    "UpdateExpression",
    "ConditionExpression",
    "KeyConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
)
# Expression grammar words: operators of conditions and the clauses of an update.
OPERATORS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSES = frozenset({"SET", "REMOVE", "ADD", "DELETE"})
# `#alias`, `:value` and names followed by `(` (functions) are not attribute names.
TOKEN = re.compile(r"(?<![#:\w])([A-Za-z_]\w*)")
SKIP = frozenset({HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM, HandleKind.BATCH_WRITER})


@cache
def reserved_words() -> frozenset[str]:
    """DynamoDB's reserved words (upper case), read once from the package data."""
    text = resources.files("dynaguard.scan").joinpath("data/dynamodb-reserved-words.txt")
    return frozenset(
        w.strip().upper() for w in text.read_text(encoding="utf-8").splitlines() if w.strip()
    )


def reserved_in(text: str, kind: str) -> list[str]:
    """Reserved words used as bare attribute names in one expression's text."""
    words = reserved_words()
    out: list[str] = []
    for m in TOKEN.finditer(text):
        word, rest = m.group(1), text[m.end() :].lstrip()
        upper = word.upper()
        if rest.startswith("(") or upper not in words:
            continue  # a function (size, begins_with, if_not_exists...) or a plain name
        if kind != "UpdateExpression" and upper in OPERATORS:
            continue
        if kind == "UpdateExpression" and upper in CLAUSES:
            continue  # `SET a = :v`: the clause keyword
        if word not in out:
            out.append(word)
    return out


@register(
    id="DG108",
    name="reserved-word",
    title="Reserved word in a DynamoDB expression",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-754",
    owasp_api=None,
    fix="Alias the name: `#status` in the expression and ExpressionAttributeNames="
    '{"#status": "status"}; or write through the guard library\'s OwnedTable (every name '
    "aliased), or use the Key()/Attr() builders.",
)
def check(project: Project) -> Iterator[Finding]:
    """Reserved words used bare in expression strings."""
    m = meta("DG108")
    for call in project.calls:
        if call.handle.kind in SKIP:
            continue
        found: dict[str, list[str]] = {}
        route = None
        for site in project.sites(call):
            for kind, text in _expressions(project, call, site.frame):
                for word in reserved_in(text, kind):
                    if word not in found.setdefault(kind, []):
                        found[kind].append(word)
                        route = route or site.route
        if not found:
            continue
        parts = [f"{kind}: {', '.join(words)}" for kind, words in found.items() if words]
        words = sorted({w for ws in found.values() for w in ws})
        aliases = ", ".join(f'"#{w}": "{w}"' for w in words)
        yield at_call(
            m,
            call,
            route,
            f"reserved word(s) used bare in the expression ({'; '.join(parts)}): DynamoDB "
            f"rejects the request with a ValidationException; alias them "
            f"(ExpressionAttributeNames={{{aliases}}})",
            evidence={"words": list(words), "expressions": list(found)},
        )


def _expressions(project: Project, call: DynamoCall, frame: Frame) -> Iterator[tuple[str, str]]:
    """(argument name, text) of every statically known expression string of the call."""
    exprs: list[tuple[str, ast.expr]] = [(k, call.args[k]) for k in EXPRESSIONS if k in call.args]
    items = call.args.get("TransactItems")
    if items is not None:  # [{"Update": {"UpdateExpression": "...", ...}}, ...]
        for node in ast.walk(items):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value in EXPRESSIONS:
                        exprs.append((str(k.value), v))
    for kind, expr in exprs:
        for text in _texts(project, expr, frame):
            yield kind, text


def _texts(project: Project, expr: ast.expr, frame: Frame) -> list[str]:
    texts = sorted(project.values.of(expr, frame).texts)
    if texts:
        return texts
    joined = _joined(project, expr, frame)
    if joined is not None:
        return [joined]
    # a partly dynamic f-string or concatenation: its literal fragments, whole tokens only
    parts = _parts(expr)
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
    """`", ".join(["id", "name"])` (or of a constant list) as text."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "join"
        and len(expr.args) == 1
    ):
        return None
    sep = project.values.text(expr.func.value, frame)
    items = expr.args[0]
    if isinstance(items, ast.Name):
        found = project.locals_of(frame).assigns.get(items.id) if frame.fn else None
        found = found or frame.module.globals.get(items.id)
        items = found[0] if found and len(found) == 1 else items
    if sep is None or not isinstance(items, ast.List | ast.Tuple):
        return None
    parts = [project.values.text(e, frame) for e in items.elts]
    return sep.join(p for p in parts if p is not None) if None not in parts else None


def _parts(expr: ast.expr) -> list[str | None]:
    """An f-string or `+` chain as literal pieces and None for each dynamic piece."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.JoinedStr):
        return [
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
            for v in expr.values
        ]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [*_parts(expr.left), *_parts(expr.right)]
    return [None]
