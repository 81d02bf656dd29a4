"""OwnedTable: integrity-safe DynamoDB access over boto3 (sync), one request per operation."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from dynaguard.guard import ops
from dynaguard.guard.base import (
    DEFAULT_TOKEN_ATTR,
    GuardedTable,
    TableLike,
    TableMeta,
    botocore_retried,
    make_spec,
    old_item,
)
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.transaction import Transaction

# Re-exported: these lived here before base.py held what the sync and async tables share.
__all__ = [
    "DEFAULT_TOKEN_ATTR",
    "OwnedTable",
    "TableLike",
    "TableMeta",
    "botocore_retried",
    "make_spec",
    "old_item",
]


class OwnedTable(GuardedTable):
    """A DynamoDB table whose items belong to owners, guarded in each write's condition.

    Safe to share between threads: it keeps only the Table's low-level client (boto3 clients
    are thread-safe, resources are not) and immutable settings.
    """

    def send(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        """Call one low-level client operation (no retry, no interpretation)."""
        method: Callable[..., dict[str, object]] = getattr(self._client, op)
        return method(**params)

    def _write(self, plan: ops.Plan) -> Item | None:
        ambiguous = False
        for attempt in range(self._retry.attempts):
            try:
                response = self.send(plan.op, plan.params)
            except Exception as exc:
                done, result, ambiguous = self._write_failed(plan, exc, attempt, ambiguous)
                if done:
                    return result
                time.sleep(self._retry.delay(attempt))
                continue
            return ops.success_outcome(self.spec, plan, response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _read(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        for attempt in range(self._retry.attempts):
            try:
                return self.send(op, params)
            except Exception as exc:
                self._read_failed(exc, attempt)
                time.sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def get(self, key: Mapping[str, Value], *, owner: str) -> Item:
        """The owner's item; NotFound when it is missing or someone else's (no existence oracle)."""
        response = self._read("get_item", ops.plan_get(self.spec, key, self._consistent))
        return ops.read_outcome(self.spec, response, owner)

    def create(
        self,
        item: Mapping[str, Value],
        *,
        owner: str,
        server_values: Mapping[str, Value] | None = None,
    ) -> Item:
        """Put a new item (create-only); owner and version 1 are set here; Conflict if it exists."""
        plan = ops.plan_create(self.spec, item, owner=owner, server_values=server_values)
        return ops.written(self._write(plan))

    def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | Decimal | None = None,
        server_values: Mapping[str, Value] | None = None,
    ) -> Item:
        """One UpdateItem conditional on the owner (and version); returns the updated item."""
        plan = ops.plan_update(
            self.spec,
            key,
            changes,
            owner=owner,
            expected_version=expected_version,
            server_values=server_values,
        )
        return ops.written(self._write(plan))

    def delete(
        self, key: Mapping[str, Value], *, owner: str, expected_version: int | Decimal | None = None
    ) -> None:
        """One DeleteItem conditional on the owner (and version)."""
        self._write(ops.plan_delete(self.spec, key, owner=owner, expected_version=expected_version))

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: int | Decimal | None = None,
    ) -> Item:
        """Give the item to `new_owner`, conditional on `owner` still holding it."""
        plan = ops.plan_transfer(
            self.spec, key, owner=owner, new_owner=new_owner, expected_version=expected_version
        )
        return ops.written(self._write(plan))

    def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> ops.Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        params, start = self._list_request(owner, index, limit, cursor)
        try:
            response = self._read("query", params)
        except Exception as exc:
            self._list_failed(exc, start)
        return self._page(response, owner)

    def transaction(self, *, token: str | None = None) -> Transaction:
        """A TransactWriteItems builder; commits on leaving the `with` block without error."""
        from dynaguard.guard.transaction import Transaction

        return Transaction(self, token=token)
