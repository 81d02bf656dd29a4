"""The write history: the tokens of an item's last N guarded writes, kept in the item itself.

Every guarded write shifts the history by one slot in the same UpdateExpression
(`_guard_token{N-1} = _guard_token{N-2}, ..., _guard_token = :token`), so DynamoDB keeps it
bounded and consistent with the item, with no extra request. Slot i holds the token of the
write that produced version `current - i` (all writes go through the guard and bump the
version by one). A retry whose condition fails gets the item back (ALL_OLD) and decides:

- its token is in a slot: an earlier attempt applied (done, never applied twice);
- the slot of the version it would have produced holds another token: it never applied;
- otherwise the history no longer reaches back: OutcomeUnknown, never a guess.

Unversioned writes carry "token not in the history" in every attempt, and after an attempt
that may have applied also "the history has not wrapped" (its oldest slot is still empty):
on an item with N or more writes such a retry cannot be proven safe, so it is refused and
reported as OutcomeUnknown rather than risked.
"""

from __future__ import annotations

from collections.abc import Mapping

from dynaguard.guard.expressions import Expr
from dynaguard.guard.spec import Plan, Spec, version_of
from dynaguard.guard.types import Value

EMPTY = ""  # an unused slot (fewer than N writes so far)


def push(ex: Expr, spec: Spec, token: str) -> list[str]:
    """SET assignments that shift the history and record `token` as the newest entry.

    Oldest slot first: correct whether the store reads operands before or while assigning.
    """
    slots = spec.slots
    empty = ex.value(EMPTY) if len(slots) > 1 else ""
    out = [
        f"{ex.name(slots[i])} = if_not_exists({ex.name(slots[i - 1])}, {empty})"
        for i in range(len(slots) - 1, 0, -1)
    ]
    out.append(f"{ex.name(slots[0])} = {ex.value(token)}")
    return out


def absent(ex: Expr, spec: Spec, token: str) -> str:
    """Condition: `token` is in no slot (a replay of an applied write fails it).

    `:t IN (#slot0, #slot1, ...)` is false for missing slots, so legacy items pass.
    """
    names = ", ".join(ex.name(slot) for slot in spec.slots)
    return f"(NOT ({ex.value(token)} IN ({names})))"


def not_wrapped(ex: Expr, spec: Spec) -> str:
    """Condition: the oldest slot is unused, so no write was ever pushed out of the history."""
    name = ex.name(spec.slots[-1])
    return f"(attribute_not_exists({name}) OR {name} = {ex.value(EMPTY)})"


def entries(spec: Spec, item: Mapping[str, Value]) -> list[str]:
    """The history, newest first ("" for unused or missing slots)."""
    out = []
    for slot in spec.slots:
        value = item.get(slot)
        out.append(value if isinstance(value, str) else EMPTY)
    return out


def depth(spec: Spec, item: Mapping[str, Value] | None, token: str | None) -> int | None:
    """How many writes ago `token` was written to the item (0 = the newest), or None."""
    if item is None or not token:
        return None
    found = entries(spec, item)
    return found.index(token) if token in found else None


def landed(spec: Spec, plan: Plan, old: Mapping[str, Value] | None) -> bool | None:
    """Did `plan` apply to the item now `old`? True / False when provable, else None."""
    if old is None or plan.token is None:
        return None  # missing: it may have applied and been deleted since
    if depth(spec, old, plan.token) is not None:
        return True
    slots = entries(spec, old)
    if plan.produced is not None:
        current = version_of(old, spec)
        if current is None:
            return None
        back = current - plan.produced
        # That version's slot is still kept and holds another write: ours never applied.
        return False if 0 <= back < len(slots) and slots[back] else None
    # Unversioned: while the oldest slot is unused, every write since creation is kept.
    return False if not slots[-1] else None
