"""AsyncOwnedTable: the same guarded operations as coroutines over aioboto3.

Build the aioboto3 resource (and its Table) once per application, e.g. in a FastAPI lifespan,
and wrap it here; the guard never creates a client per request. Planning and interpreting
answers live in GuardedTable (base.py); only sending and waiting are async here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from types import TracebackType

from dynaguard.guard import ops
from dynaguard.guard.base import GuardedTable
from dynaguard.guard.transaction import TransactionBuilder, TxResult, retry_step
from dynaguard.guard.types import Item, Value

_Send = Callable[..., Awaitable[dict[str, object]]]


class AsyncOwnedTable(GuardedTable):
    """OwnedTable's API as coroutines, on an aioboto3 `Table` resource."""

    async def send(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        """Call one low-level client operation (no retry, no interpretation)."""
        method: _Send = getattr(self._client, op)
        return await method(**params)

    async def _write(self, plan: ops.Plan) -> Item | None:
        ambiguous = False
        for attempt in range(self._retry.attempts):
            try:
                response = await self.send(plan.op, plan.params)
            except Exception as exc:
                done, result, ambiguous = self._write_failed(plan, exc, attempt, ambiguous)
                if done:
                    return result
                await asyncio.sleep(self._retry.delay(attempt))
                continue
            return ops.success_outcome(self.spec, plan, response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _read(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        for attempt in range(self._retry.attempts):
            try:
                return await self.send(op, params)
            except Exception as exc:
                self._read_failed(exc, attempt)
                await asyncio.sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def get(self, key: Mapping[str, Value], *, owner: str) -> Item:
        """The owner's item; NotFound when it is missing or someone else's."""
        response = await self._read("get_item", ops.plan_get(self.spec, key, self._consistent))
        return ops.read_outcome(self.spec, response, owner)

    async def create(
        self,
        item: Mapping[str, Value],
        *,
        owner: str,
        server_values: Mapping[str, Value] | None = None,
    ) -> Item:
        """Put a new item (create-only); owner and version 1 are set here; Conflict if it exists."""
        plan = ops.plan_create(self.spec, item, owner=owner, server_values=server_values)
        return ops.written(await self._write(plan))

    async def update(
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
        return ops.written(await self._write(plan))

    async def delete(
        self, key: Mapping[str, Value], *, owner: str, expected_version: int | Decimal | None = None
    ) -> None:
        """One DeleteItem conditional on the owner (and version)."""
        plan = ops.plan_delete(self.spec, key, owner=owner, expected_version=expected_version)
        await self._write(plan)

    async def transfer(
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
        return ops.written(await self._write(plan))

    async def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> ops.Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        params, start = self._list_request(owner, index, limit, cursor)
        try:
            response = await self._read("query", params)
        except Exception as exc:
            self._list_failed(exc, start)
        return self._page(response, owner)

    def transaction(self, *, token: str | None = None) -> AsyncTransaction:
        """`async with table.transaction() as tx:` — commits on leaving the block."""
        return AsyncTransaction(self, token=token)


class AsyncTransaction(TransactionBuilder):
    """The async transaction: add items synchronously, commit with `await` (or `async with`)."""

    def __init__(self, table: AsyncOwnedTable, *, token: str | None = None) -> None:
        super().__init__(table, token=token)
        self._table = table

    async def __aenter__(self) -> AsyncTransaction:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.commit()

    async def commit(self) -> tuple[TxResult, ...]:
        """Send the transaction (retrying transient failures with the same token)."""
        policy, ambiguous = self._table.retry_policy, False
        for attempt in range(policy.attempts if self.begin_commit() else 0):
            try:
                await self._table.send("transact_write_items", self.request())
                break
            except Exception as exc:
                done, ambiguous = retry_step(self, exc, attempt, policy, ambiguous)
                if done:
                    break
                await asyncio.sleep(policy.delay(attempt))
        self.finish()
        return self.results
