"""The admin path: explicit, logged access around ownership (support, moderation, fixes).

`table.as_admin(reason="ticket 123")` returns a view whose operations need no owner; the
version condition and the write history still apply, and every call is logged at WARNING
on `dynaguard.guard.admin` with the reason, so the path is visible in review and in logs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from dynaguard.guard import ops
from dynaguard.guard.actions import make_actions
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.aio import AsyncOwnedTable
    from dynaguard.guard.table import OwnedTable

LOG = logging.getLogger("dynaguard.guard.admin")


def check_reason(reason: str) -> str:
    """A reason is required: an admin call nobody can explain later is a finding."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("as_admin() needs a reason, e.g. as_admin(reason='support ticket 123')")
    return reason


class AdminTable:
    """Ownership-free get/update/delete on an OwnedTable, each call logged with its reason."""

    def __init__(self, table: OwnedTable, reason: str) -> None:
        self._table = table
        self.reason = check_reason(reason)

    def _log(self, op: str, key: Mapping[str, Value]) -> None:
        LOG.warning(
            "admin %s on %s %s: %s", op, self._table.spec.table_name, dict(key), self.reason
        )

    def get(self, key: Mapping[str, Value]) -> Item:
        """The item whoever owns it; NotFound when missing."""
        self._log("get", key)
        return self._table.run(self._table._get(key, None, admin=True))

    def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, object],
        *,
        expected_version: ops.Expected = None,
    ) -> Item:
        """SET `changes` on an existing item whoever owns it (version + 1, history kept)."""
        self._log("update", key)
        actions = make_actions(changes)
        return self._table.run(
            self._table._update(
                key, actions, owner=None, expected_version=expected_version, admin=True
            )
        )

    def delete(self, key: Mapping[str, Value], *, expected_version: ops.Expected = None) -> None:
        """Delete an existing item whoever owns it."""
        self._log("delete", key)
        self._table.run(self._table._delete(key, None, expected_version, admin=True))


class AsyncAdminTable:
    """AdminTable's API as coroutines, on an AsyncOwnedTable."""

    def __init__(self, table: AsyncOwnedTable, reason: str) -> None:
        self._table = table
        self.reason = check_reason(reason)

    def _log(self, op: str, key: Mapping[str, Value]) -> None:
        LOG.warning(
            "admin %s on %s %s: %s", op, self._table.spec.table_name, dict(key), self.reason
        )

    async def get(self, key: Mapping[str, Value]) -> Item:
        """The item whoever owns it; NotFound when missing."""
        self._log("get", key)
        return await self._table.run(self._table._get(key, None, admin=True))

    async def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, object],
        *,
        expected_version: ops.Expected = None,
    ) -> Item:
        """SET `changes` on an existing item whoever owns it (version + 1, history kept)."""
        self._log("update", key)
        actions = make_actions(changes)
        return await self._table.run(
            self._table._update(
                key, actions, owner=None, expected_version=expected_version, admin=True
            )
        )

    async def delete(
        self, key: Mapping[str, Value], *, expected_version: ops.Expected = None
    ) -> None:
        """Delete an existing item whoever owns it."""
        self._log("delete", key)
        await self._table.run(self._table._delete(key, None, expected_version, admin=True))
