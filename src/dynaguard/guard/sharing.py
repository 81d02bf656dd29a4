"""Sharing: readers and editors are string sets in the item, checked in the condition."""

from __future__ import annotations

from collections.abc import Iterable

from dynaguard.guard.actions import Actions
from dynaguard.guard.spec import Spec, check_owner


def _users(users: Iterable[str], what: str) -> set[str]:
    if isinstance(users, str):
        raise TypeError(f"{what} must be a list of user ids, not the string {users!r}")
    return {check_owner(u, what) for u in users}


def share_actions(
    spec: Spec, readers: Iterable[str], editors: Iterable[str], revoke: bool
) -> Actions:
    """ADD (or DELETE, to revoke) users to the declared readers/editors sets."""
    changes = {}
    for attr, users, what in (
        (spec.readers, readers, "readers"),
        (spec.editors, editors, "editors"),
    ):
        ids = _users(users, what)
        if ids and attr is None:
            raise ValueError(f"this table declares no {what} attribute ({what}=...)")
        if ids and attr is not None:
            changes[attr] = ids
    if not changes:
        raise ValueError("share() needs at least one reader or editor")
    return Actions(delete=dict(changes)) if revoke else Actions(add=dict(changes))
