"""What an answer means: success, a failed condition, or an earlier attempt that applied.

Failed conditions are interpreted from the ALL_OLD item DynamoDB returns with
ConditionalCheckFailedException, so telling "missing or not yours" (NotFound) from "stale
version" (Conflict) costs no second read, and the item's write history tells a retry whether
its earlier attempt applied (history.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from dynaguard.guard import history
from dynaguard.guard.errors import ConditionFailed, Conflict, NotFound, OutcomeUnknown
from dynaguard.guard.spec import (
    Plan,
    Spec,
    check_owner,
    deserialize_item,
    may_read,
    may_write,
    version_of,
)
from dynaguard.guard.types import Item

Failure = NotFound | Conflict | OutcomeUnknown


def read_outcome(spec: Spec, response: Mapping[str, object], user: str | None) -> Item:
    """The item from a GetItem answer if `user` may read it, else NotFound (missing and
    foreign look the same); `user=None` is the admin path."""
    if user is not None:
        check_owner(user)
    raw = response.get("Item")
    item = spec.strip(raw) if isinstance(raw, Mapping) else None
    if item is None or (user is not None and not may_read(spec, item, user)):
        raise NotFound()
    return item


def success_outcome(spec: Spec, plan: Plan, response: Mapping[str, object]) -> Item | None:
    """What a successful write returns: the created item, the updated item, or None."""
    if plan.kind == "create":
        return dict(plan.item or {})
    attrs = response.get("Attributes")
    if plan.kind in ("update", "transfer") and isinstance(attrs, Mapping):
        return spec.strip(attrs)
    return None


def _visible(spec: Spec, plan: Plan, old: Item | None) -> Item | None:
    if old is None or plan.owner is None:
        return None if old is None else spec.strip(old)
    return spec.strip(old) if may_read(spec, old, plan.owner) else None


def _explain(spec: Spec, plan: Plan, old: Item | None) -> Failure:
    """Why a condition failed, from the item as it is now (no attempt of ours applied)."""
    if plan.kind == "create":
        if old is None or old.get(spec.owner) != plan.owner:
            return Conflict()  # taken, by someone else: tell nothing about their item
        return Conflict(version_of(old, spec), spec.strip(old))
    if old is None or not may_write(spec, old, plan.owner, plan.shared):
        return NotFound()
    current = version_of(old, spec)
    expected = plan.expected_version
    version_ok = expected is None or current == expected
    if isinstance(expected, tuple):
        version_ok = current in expected
    if version_ok and plan.has_when:
        return ConditionFailed(current, spec.strip(old), "the when= condition failed")
    return Conflict(current, spec.strip(old))


def failure_outcome(
    spec: Spec, plan: Plan, old_wire: object, ambiguous: bool
) -> tuple[Item | None, Failure | None]:
    """(result, None) when an earlier attempt is proven applied, else (None, the error).

    `ambiguous`: an earlier attempt of this write may have applied (its answer was lost).
    """
    old = deserialize_item(old_wire) if isinstance(old_wire, Mapping) else None
    if history.depth(spec, old, plan.token) is not None:
        # Our own token is in the item's history: an earlier attempt applied, exactly once.
        return spec.strip(old) if old is not None else None, None
    if not ambiguous:
        return None, _explain(spec, plan, old)
    if plan.kind in ("delete", "check"):
        if old is None:  # gone: by us, or by another writer? Nothing in DynamoDB tells.
            return None, OutcomeUnknown(plan.kind)
        return None, _explain(spec, plan, old)  # still there: our delete did not apply
    if history.landed(spec, plan, old) is False:
        return None, _explain(spec, plan, old)
    return None, OutcomeUnknown(plan.kind, _visible(spec, plan, old))
