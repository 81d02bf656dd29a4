"""DG116 fix: a client-only operation called on a `Table` goes through `table.meta.client`.

`table.transact_write_items(TransactItems=[...])` becomes
`table.meta.client.transact_write_items(TransactItems=[...])`. A resource's `meta.client`
is a low-level client that boto3 gave the resource's value handling (boto3's
DynamoDB customisation serialises plain Python values and `Key()`/`Attr()` conditions on
it), so typed attribute values written for a bare client (`{"S": order_id}`,
`{"N": "3"}`) are turned into the plain values it expects; left typed they would be
wrapped again and rejected. A typed value with no plain equivalent written here (a
float-like `N`, binary, a set) leaves the call for a person, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from dynaguard.core.findings import Finding
from dynaguard.fix._cst import LineTransformer, literal, parse

# DynamoDB operations a boto3 client has and a Table resource does not.
CLIENT_ONLY = frozenset(
    {
        "transact_write_items",
        "transact_get_items",
        "batch_write_item",
        "batch_get_item",
        "execute_statement",
        "batch_execute_statement",
        "execute_transaction",
    }
)
_INT = re.compile(r"^-?\d+$")
_TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"})


class _NotPlain(Exception):
    """A typed value this fixer does not turn into a plain one."""


def fix(
    text: str, findings: Sequence[Finding]
) -> tuple[str, list[Finding], list[tuple[Finding, str]]]:
    """Route the reported Table calls through `.meta.client` with plain values."""
    targets: dict[int, list[Finding]] = {}
    for f in findings:
        # The rule decided the receiver's kind; the call's shape decides what is fixable:
        # a client-only operation (so the receiver is a Table), or a call on `.meta.client`.
        targets.setdefault(f.line or 0, []).append(f)
    transformer = _Route(set(targets))
    new = parse(text).visit(transformer).code
    fixed = [f for line in transformer.done for f in targets[line]]
    skipped: list[tuple[Finding, str]] = []
    for f in findings:
        if f in fixed:
            continue
        why = transformer.why.get(
            f.line or 0, "not a client-only operation on a Table resource; fix it by hand"
        )
        skipped.append((f, why))
    return new, fixed, skipped


def _is_meta_client(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "client"
        and isinstance(node.value, cst.Attribute)
        and node.value.attr.value == "meta"
    )


def plain(node: cst.BaseExpression) -> cst.BaseExpression:
    """A typed attribute value as the plain value boto3 serialises to it (recursively)."""
    if isinstance(node, cst.Dict):
        only = node.elements[0] if len(node.elements) == 1 else None
        kind = literal(only.key) if isinstance(only, cst.DictElement) else None
        if isinstance(only, cst.DictElement) and kind in ("S", "BOOL"):
            return only.value
        if isinstance(only, cst.DictElement) and kind == "NULL":
            return cst.Name("None")
        if isinstance(only, cst.DictElement) and kind == "N":
            number = literal(only.value)
            if number is None or not _INT.match(number.strip()):
                raise _NotPlain("a number that is not an integer literal (use Decimal by hand)")
            return cst.Integer(str(int(number)))
        if isinstance(only, cst.DictElement) and kind in ("L", "M"):
            return plain(only.value) if kind == "M" else _plain_list(only.value)
        if isinstance(only, cst.DictElement) and kind in ("B", "SS", "NS", "BS"):
            raise _NotPlain(f"a typed {kind} value (binary or set) to convert by hand")
        return node.with_changes(
            elements=[
                e.with_changes(value=plain(e.value)) if isinstance(e, cst.DictElement) else e
                for e in node.elements
            ]
        )
    if isinstance(node, cst.List):
        return _plain_list(node)
    return node


def _plain_list(node: cst.BaseExpression) -> cst.BaseExpression:
    if not isinstance(node, cst.List):
        return node
    return node.with_changes(
        elements=[
            e.with_changes(value=plain(e.value)) if isinstance(e, cst.Element) else e
            for e in node.elements
        ]
    )


class _Typed(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Dict(self, node: cst.Dict) -> None:
        only = node.elements[0] if len(node.elements) == 1 else None
        if isinstance(only, cst.DictElement) and literal(only.key) in _TYPES:
            self.found = True


def _no_typed_left(args: Sequence[cst.Arg]) -> None:
    """Raise when a typed value is left (built in a comprehension or a call)."""
    visitor = _Typed()
    for a in args:
        a.visit(visitor)
    if visitor.found:
        raise _NotPlain("typed values built at run time (a comprehension); convert by hand")


class _Route(LineTransformer):
    def __init__(self, lines: set[int]) -> None:
        super().__init__()
        self.lines = lines
        self.done: set[int] = set()
        self.why: dict[int, str] = {}

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        line = self.line_of(original)
        func = updated.func
        if line not in self.lines or line in self.done or not isinstance(func, cst.Attribute):
            return updated
        through_client = _is_meta_client(func.value)
        if func.attr.value not in CLIENT_ONLY and not through_client:
            return updated
        try:
            args = [a.with_changes(value=plain(a.value)) for a in updated.args]
            _no_typed_left(args)
        except _NotPlain as exc:
            self.why[line] = str(exc)
            return updated
        if through_client:  # already on meta.client: only the typed values were wrong
            if all(a.deep_equals(b) for a, b in zip(args, updated.args, strict=True)):
                self.why[line] = "no typed value to convert; the call needs a person"
                return updated
            self.done.add(line)
            return updated.with_changes(args=args)
        client = cst.Attribute(cst.Attribute(func.value, cst.Name("meta")), cst.Name("client"))
        self.done.add(line)
        return updated.with_changes(func=func.with_changes(value=client), args=args)
