"""Update actions beyond SET: ADD (counters, set union), REMOVE, list append, set DELETE.

Each names top-level attributes; values are converted like `changes` (convert.py). DynamoDB
refuses two actions on one attribute in one request, so that is refused here, with the
attribute named, before anything is sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dynaguard.guard.convert import to_item
from dynaguard.guard.expressions import Expr
from dynaguard.guard.types import Item


@dataclass(frozen=True, slots=True)
class Actions:
    """What one UpdateItem does to the caller's attributes."""

    set: Item = field(default_factory=dict)
    add: Item = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    append: Item = field(default_factory=dict)
    delete: Item = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the update would change no attribute of the caller's."""
        return not (self.set or self.add or self.remove or self.append or self.delete)

    def names(self) -> list[str]:
        """Every attribute the actions touch."""
        return [*self.set, *self.add, *self.remove, *self.append, *self.delete]

    def render(self, ex: Expr, extra_sets: list[str]) -> str:
        """The UpdateExpression: the actions plus the guard's own SET assignments."""
        sets = ex.set_clause(self.set)
        for attr, value in self.append.items():
            name = ex.name(attr)
            sets.append(
                f"{name} = list_append(if_not_exists({name}, {ex.value([])}), {ex.value(value)})"
            )
        clauses = ["SET " + ", ".join([*sets, *extra_sets])]
        if self.add:
            clauses.append(
                "ADD " + ", ".join(f"{ex.name(a)} {ex.value(v)}" for a, v in self.add.items())
            )
        if self.remove:
            clauses.append("REMOVE " + ", ".join(ex.name(a) for a in self.remove))
        if self.delete:
            parts = (f"{ex.name(a)} {ex.value(v)}" for a, v in self.delete.items())
            clauses.append("DELETE " + ", ".join(parts))
        return " ".join(clauses)


def _mapping(value: Mapping[str, object] | None, what: str) -> Item:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a mapping of attribute names to values")
    return to_item(value)


def make_actions(
    changes: Mapping[str, object] | None,
    *,
    add: Mapping[str, object] | None = None,
    remove: Iterable[str] = (),
    append: Mapping[str, object] | None = None,
    delete: Mapping[str, object] | None = None,
) -> Actions:
    """Validate and convert the caller's update actions."""
    if isinstance(remove, str):
        raise TypeError(f"remove must be a list of attribute names, not the string {remove!r}")
    actions = Actions(
        set=_mapping(changes, "changes"),
        add=_mapping(add, "add"),
        remove=tuple(remove),
        append=_mapping(append, "append"),
        delete=_mapping(delete, "delete"),
    )
    for attr, value in actions.add.items():
        if isinstance(value, bool) or not isinstance(value, int | Decimal | set):
            raise ValueError(f"add[{attr!r}] must be a number (counter) or a set (union)")
    for attr, value in actions.delete.items():
        if not isinstance(value, set):
            raise ValueError(f"delete[{attr!r}] must be a set (the elements to take out)")
    for attr, value in actions.append.items():
        if not isinstance(value, list):
            raise ValueError(f"append[{attr!r}] must be a list (the elements to add at the end)")
    if any(not isinstance(a, str) or not a for a in actions.names()):
        raise ValueError("attribute names must be non-empty strings")
    twice = sorted(a for a, n in Counter(actions.names()).items() if n > 1)
    if twice:
        raise ValueError(f"one update cannot act twice on an attribute: {', '.join(twice)}")
    return actions
