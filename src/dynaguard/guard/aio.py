"""AsyncOwnedTable: the same guarded operations as coroutines over aioboto3.

Build the aioboto3 resource (and its Table) once per application, e.g. in a FastAPI lifespan,
and wrap it here; the guard never creates a client per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType

from dynaguard.guard import ops
from dynaguard.guard.cursor import decode_cursor, encode_cursor
from dynaguard.guard.errors import CONDITION_FAILED, InvalidCursor, error_code
from dynaguard.guard.retry import RetryPolicy, classify
from dynaguard.guard.table import (
    DEFAULT_TOKEN_ATTR,
    TableLike,
    botocore_retried,
    make_spec,
    old_item,
)
from dynaguard.guard.transaction import TransactionBuilder, TxResult, retry_step
from dynaguard.guard.types import Item, Value

_Send = Callable[..., Awaitable[dict[str, object]]]


class AsyncOwnedTable:
    """OwnedTable's API as coroutines, on an aioboto3 `Table` resource."""

    def __init__(
        self,
        table: TableLike,
        *,
        key: tuple[str, ...],
        owner: str,
        version: str = "version",
        server_fields: Iterable[str] = (),
        token_attr: str = DEFAULT_TOKEN_ATTR,
        retry: RetryPolicy | None = None,
        consistent_reads: bool = True,
        cursor_secret: bytes | None = None,
    ) -> None:
        self.spec = make_spec(
            table.name,
            key=key,
            owner=owner,
            version=version,
            token_attr=token_attr,
            server_fields=server_fields,
        )
        self._client = table.meta.client
        self._retry = retry or RetryPolicy()
        self._consistent = consistent_reads
        self._secret = cursor_secret

    @property
    def server_fields(self) -> frozenset[str]:
        """Every attribute clients may not set (key, owner, version, token, declared ones)."""
        return self.spec.managed

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of this table (also used by its transactions)."""
        return self._retry

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
                if error_code(exc) == CONDITION_FAILED:
                    ambiguous = ambiguous or botocore_retried(exc)
                    done, error = ops.failure_outcome(self.spec, plan, old_item(exc), ambiguous)
                    if error is not None:
                        raise error from None
                    return done
                transient = classify(exc)
                if transient is None or attempt + 1 >= self._retry.attempts:
                    raise
                ambiguous = ambiguous or transient.ambiguous
                await asyncio.sleep(self._retry.delay(attempt))
                continue
            return ops.success_outcome(self.spec, plan, response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _read(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        for attempt in range(self._retry.attempts):
            try:
                return await self.send(op, params)
            except Exception as exc:
                if classify(exc) is None or attempt + 1 >= self._retry.attempts:
                    raise
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
        result = await self._write(
            ops.plan_create(self.spec, item, owner=owner, server_values=server_values)
        )
        assert result is not None
        return result

    async def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | None = None,
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
        result = await self._write(plan)
        assert result is not None
        return result

    async def delete(
        self, key: Mapping[str, Value], *, owner: str, expected_version: int | None = None
    ) -> None:
        """One DeleteItem conditional on the owner (and version)."""
        await self._write(
            ops.plan_delete(self.spec, key, owner=owner, expected_version=expected_version)
        )

    async def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: int | None = None,
    ) -> Item:
        """Give the item to `new_owner`, conditional on `owner` still holding it."""
        plan = ops.plan_transfer(
            self.spec, key, owner=owner, new_owner=new_owner, expected_version=expected_version
        )
        result = await self._write(plan)
        assert result is not None
        return result

    async def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> ops.Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        start = None
        if cursor is not None:
            start = decode_cursor(
                cursor,
                required=ops.cursor_fields(self.spec),
                owner_attr=self.spec.owner,
                owner=ops.check_owner(owner),
                secret=self._secret,
            )
        params = ops.plan_list(self.spec, owner, index, limit, start)
        try:
            response = await self._read("query", params)
        except Exception as exc:
            if start is not None and error_code(exc) == "ValidationException":
                raise InvalidCursor() from None
            raise
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor(last if isinstance(last, Mapping) else None, self._secret)
        return ops.Page(ops.page_items(self.spec, response, owner), next_cursor)

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
        if self._committed:
            raise RuntimeError("this transaction was already committed")
        if self._entries:
            policy, ambiguous = self._table.retry_policy, False
            for attempt in range(policy.attempts):
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
