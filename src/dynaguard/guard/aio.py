"""AsyncOwnedTable: the same guarded operations as coroutines over aioboto3.

Build the aioboto3 resource (and its Table, `await resource.Table(name)`) once per
application, e.g. in a FastAPI lifespan, keep the resource open while the app runs, and wrap
the Table here; the guard never creates a client per request. Every decision lives in the
shared flows (base.py, flows.py); only sending and waiting are async here.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard import ops
from dynaguard.guard.actions import make_actions
from dynaguard.guard.base import GuardedTable
from dynaguard.guard.chunked import CHUNKED_MAX_ITEMS, check_chunk_size, chunked_flow
from dynaguard.guard.flows import Call, Flow
from dynaguard.guard.query import Page
from dynaguard.guard.transaction import AsyncCommit, TransactionBuilder, TxResult
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.admin import AsyncAdminTable

T = TypeVar("T")
_Send = Callable[..., Awaitable[dict[str, Any]]]


class AsyncOwnedTable(GuardedTable):
    """OwnedTable's API as coroutines, on an aioboto3 `Table` resource."""

    _async = True

    async def send(self, op: str, params: Mapping[str, object]) -> dict[str, Any]:
        """Call one low-level client operation (no retry, no interpretation)."""
        method: _Send = getattr(self._client, op)
        return await method(**params)

    async def run(self, flow: Flow[T]) -> T:
        """Drive a flow: send its calls with aioboto3, sleep its sleeps, return its result."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Call):
                    try:
                        answer = await self.send(step.op, step.params)
                    except Exception as exc:
                        step = flow.throw(exc)
                        continue
                    step = flow.send(answer)
                else:
                    await asyncio.sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            result: T = stop.value
            return result

    async def get(self, key: Mapping[str, Value], *, owner: str) -> Item:
        """The item if `owner` owns it (or is a reader/editor); NotFound otherwise."""
        return await self.run(self._get(key, owner))

    async def create(
        self,
        item: Mapping[str, object],
        *,
        owner: str,
        server_values: Mapping[str, object] | None = None,
    ) -> Item:
        """Put a new item (create-only); owner and version 1 set here; Conflict if it exists."""
        return await self.run(self._create(item, owner, server_values))

    async def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, object] | None = None,
        *,
        owner: str,
        expected_version: ops.Expected = None,
        server_values: Mapping[str, object] | None = None,
        add: Mapping[str, object] | None = None,
        remove: Iterable[str] = (),
        append: Mapping[str, object] | None = None,
        delete: Mapping[str, object] | None = None,
        when: ConditionBase | None = None,
    ) -> Item:
        """OwnedTable.update as a coroutine (SET/ADD/REMOVE/append/DELETE, `when`)."""
        actions = make_actions(changes, add=add, remove=remove, append=append, delete=delete)
        return await self.run(
            self._update(
                key,
                actions,
                owner=owner,
                expected_version=expected_version,
                server_values=server_values,
                when=when,
            )
        )

    async def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
    ) -> None:
        """One DeleteItem conditional on the owner (and version, and `when`)."""
        await self.run(self._delete(key, owner, expected_version, when))

    async def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: ops.Expected = None,
    ) -> Item:
        """Give the item to `new_owner`, conditional on `owner` still holding it."""
        return await self.run(self._transfer(key, owner, new_owner, expected_version))

    async def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        return await self.run(self._query(owner=owner, index=index, limit=limit, cursor=cursor))

    async def query(
        self,
        *,
        owner: str,
        index: str | None = None,
        key: ConditionBase | None = None,
        filter: ConditionBase | None = None,
        fields: Iterable[str] | None = None,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """OwnedTable.query as a coroutine."""
        return await self.run(
            self._query(
                owner=owner,
                index=index,
                limit=limit,
                cursor=cursor,
                key=key,
                filter=filter,
                fields=fields,
                newest_first=newest_first,
            )
        )

    async def batch_get(
        self, keys: Iterable[Mapping[str, Value]], *, owner: str
    ) -> builtins.list[Item]:
        """OwnedTable.batch_get as a coroutine."""
        from dynaguard.guard.batch import batch_get

        return await self.run(batch_get(self.spec, self._retry, keys, owner, self._consistent))

    async def share(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        readers: Iterable[str] = (),
        editors: Iterable[str] = (),
        revoke: bool = False,
    ) -> Item:
        """Add (or with `revoke`, remove) readers and editors; only the owner may."""
        return await self.run(self._share(key, owner, readers, editors, revoke))

    def as_admin(self, *, reason: str) -> AsyncAdminTable:
        """An explicit, logged path around ownership (support, moderation, migrations)."""
        from dynaguard.guard.admin import AsyncAdminTable

        return AsyncAdminTable(self, reason)

    def transaction(self, *, token: str | None = None) -> AsyncTransaction:
        """`async with table.transaction() as tx:` — commits on leaving the block."""
        return AsyncTransaction(self, token=token)

    def chunked(self, *, chunk_size: int = 25) -> AsyncChunkedWriter:
        """OwnedTable.chunked for `async with`: chunks of `chunk_size`, not atomic together."""
        return AsyncChunkedWriter(self, chunk_size=chunk_size)

    async def create_table(self, *, attribute_types: Mapping[str, str] | None = None) -> None:
        """Create the DynamoDB table from this declaration (tests and demos)."""
        from dynaguard.guard.schema import create_table_params

        await self.send("create_table", create_table_params(self, attribute_types or {}))


class AsyncTransaction(AsyncCommit, TransactionBuilder):
    """The async transaction: add items synchronously, commit with `await` (or `async with`)."""

    def __init__(self, table: AsyncOwnedTable, *, token: str | None = None) -> None:
        super().__init__(table, token=token)
        self._table = table

    async def commit(self) -> tuple[TxResult, ...]:
        """Send the transaction; returns the results (also kept in `results`)."""
        return await self._table.run(self.commit_flow(self._table.retry_policy))


class AsyncChunkedWriter(AsyncCommit, TransactionBuilder):
    """ChunkedWriter for `async with`: transactions of `chunk_size`, not atomic together."""

    _max_items = CHUNKED_MAX_ITEMS

    def __init__(self, table: AsyncOwnedTable, *, chunk_size: int = 25) -> None:
        super().__init__(table)
        self._chunk = check_chunk_size(chunk_size)
        self._table = table

    async def commit(self) -> tuple[TxResult, ...]:
        """Send every chunk in order; returns all results."""
        return await self._table.run(chunked_flow(self, self._table.retry_policy, self._chunk))
