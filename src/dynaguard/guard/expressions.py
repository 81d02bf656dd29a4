"""Expression builder: every attribute name aliased, one placeholder namespace per request.

DynamoDB rejects reserved words (`data`, `status`, `name`, `owner`...) used bare in an
expression, and a caller's value must never be able to reuse a generated placeholder. The
builder owns both namespaces for one request: names are `#n0, #n1...`, values `:v0, :v1...`,
and nothing the caller passes is ever spliced into expression text.
"""

from __future__ import annotations

from collections.abc import Mapping

from dynaguard.guard.types import Value


class Expr:
    """Placeholder namespaces for one DynamoDB request (names and typed values)."""

    __slots__ = ("_names", "_values")

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        # Python values: the Table resource's client types them (boto3's TypeSerializer).
        self._values: dict[str, Value] = {}

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

    def params(self) -> dict[str, dict[str, str] | dict[str, Value]]:
        """ExpressionAttributeNames/Values for the request (omitted when empty)."""
        out: dict[str, dict[str, str] | dict[str, Value]] = {}
        if self._names:
            out["ExpressionAttributeNames"] = {alias: a for a, alias in self._names.items()}
        if self._values:
            out["ExpressionAttributeValues"] = dict(self._values)
        return out


def conjunction(parts: list[str]) -> str:
    """AND the parts together (each already parenthesised where it needs to be)."""
    return " AND ".join(parts)
