"""Expression builder: every attribute name aliased, one placeholder namespace per request.

DynamoDB rejects reserved words (`data`, `status`, `name`, `owner`...) used bare in an
expression, and a caller's value must never be able to reuse a generated placeholder. The
builder owns both namespaces for one request: names are `#n0, #n1...`, values `:v0, :v1...`,
and nothing the caller passes is ever spliced into expression text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder

from dynaguard.guard.convert import to_dynamo
from dynaguard.guard.types import Value

_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")


class Expr:
    """Placeholder namespaces for one DynamoDB request (names and typed values)."""

    __slots__ = ("_builder", "_constants", "_extra_names", "_names", "_values")

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._extra_names: dict[str, str] = {}  # alias -> name, from boto3 conditions
        # Python values: the Table resource's client types them (boto3's TypeSerializer).
        self._values: dict[str, Value] = {}
        self._constants: dict[str, str] = {}
        self._builder = ConditionExpressionBuilder()
        # boto3's builder numbers #n0/:v0 too: give its placeholders their own prefix.
        self._builder._name_placeholder = "c"  # type: ignore[attr-defined]
        self._builder._value_placeholder = "c"  # type: ignore[attr-defined]

    def constant(self, value: str) -> str:
        """One shared placeholder per constant string (e.g. the empty history slot)."""
        found = self._constants.get(value)
        if found is None:
            found = self._constants[value] = self.value(value)
        return found

    def condition(self, condition: ConditionBase, *, key: bool = False) -> str:
        """A boto3 `Attr`/`Key` condition, its placeholders merged into this request."""
        if not isinstance(condition, ConditionBase):
            raise TypeError(
                "conditions are boto3.dynamodb.conditions objects, e.g. Attr('credits').gte(5)"
            )
        built = self._builder.build_expression(condition, is_key_condition=key)
        self._extra_names.update(built.attribute_name_placeholders)
        for alias, value in built.attribute_value_placeholders.items():
            self._values[alias] = to_dynamo(value)
        text = built.condition_expression
        # boto3 already parenthesises AND/OR/NOT; DynamoDB rejects "((...))" as redundant
        return text if _enclosed(text) else f"({text})"

    def name(self, attr: str) -> str:
        """The alias (`#nK`) for an attribute name; the same name gets the same alias."""
        if not attr:
            raise ValueError("attribute names cannot be empty")
        alias = self._names.get(attr)
        if alias is None:
            alias = f"#n{len(self._names)}"
            self._names[attr] = alias
        return alias

    def value(self, value: Value) -> str:
        """A fresh placeholder (`:vK`) bound to the value."""
        placeholder = f":v{len(self._values)}"
        self._values[placeholder] = value
        return placeholder

    def eq(self, attr: str, value: Value) -> str:
        """`#n = :v`."""
        return f"{self.name(attr)} = {self.value(value)}"

    def not_exists(self, attr: str) -> str:
        """`attribute_not_exists(#n)`."""
        return f"attribute_not_exists({self.name(attr)})"

    def differs(self, attr: str, value: Value) -> str:
        """True when the attribute is absent or holds another value."""
        name = self.name(attr)
        return f"(attribute_not_exists({name}) OR {name} <> {self.value(value)})"

    def set_clause(self, changes: Mapping[str, Value]) -> list[str]:
        """`#n = :v` assignments for an UpdateExpression's SET, in the caller's order."""
        return [f"{self.name(attr)} = {self.value(val)}" for attr, val in changes.items()]

    def increment(self, attr: str, *, exists: bool = False) -> str:
        """`#v = if_not_exists(#v, :0) + :1`: versions only ever grow, and never reset.

        `exists=True` when the condition already pins the attribute: `#v = #v + :1`.
        """
        name = self.name(attr)
        if exists:
            return f"{name} = {name} + {self.value(1)}"
        return f"{name} = if_not_exists({name}, {self.value(0)}) + {self.value(1)}"

    def params(self, *expressions: str) -> dict[str, dict[str, str] | dict[str, Value]]:
        """ExpressionAttributeNames/Values for the request (omitted when empty).

        Given the request's expressions, only the placeholders they use are sent (DynamoDB
        refuses unused ones).
        """
        names = {alias: a for a, alias in self._names.items()} | self._extra_names
        values = dict(self._values)
        if expressions:
            used = set(_PLACEHOLDER.findall(" ".join(expressions)))
            names = {k: v for k, v in names.items() if k in used}
            values = {k: v for k, v in values.items() if k in used}
        out: dict[str, dict[str, str] | dict[str, Value]] = {}
        if names:
            out["ExpressionAttributeNames"] = names
        if values:
            out["ExpressionAttributeValues"] = values
        return out


def conjunction(parts: list[str]) -> str:
    """AND the parts together (each already parenthesised where it needs to be)."""
    return " AND ".join(parts)


def _enclosed(text: str) -> bool:
    """Whether the whole expression is one parenthesised group: `(a OR b)`, not `(a) OR (b)`."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(text) - 1
    return False
