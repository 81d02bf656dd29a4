"""OwnedTable: integrity-safe DynamoDB access over boto3 (sync), one request per operation."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard import ops
from dynaguard.guard.actions import make_actions
from dynaguard.guard.base import (
    DEFAULT_TOKEN_ATTR,
    GuardedTable,
    TableLike,
    TableMeta,
    botocore_retried,
    make_spec,
    old_item,
)
from dynaguard.guard.flows import Call, Flow
from dynaguard.guard.query import Page
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.admin import AdminTable
    from dynaguard.guard.chunked import ChunkedWriter
    from dynaguard.guard.transaction import Transaction

T = TypeVar("T")

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

    def send(self, op: str, params: Mapping[str, object]) -> dict[str, Any]:
        """Call one low-level client operation (no retry, no interpretation)."""
        method: Callable[..., dict[str, Any]] = getattr(self._client, op)
        return method(**params)

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow: send its calls with boto3, sleep its sleeps, return its result."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Call):
                    try:
                        answer = self.send(step.op, step.params)
                    except Exception as exc:
                        step = flow.throw(exc)
                        continue
                    step = flow.send(answer)
                else:
                    time.sleep(step.seconds)
                    step = flow.send(None)
        except StopIteration as stop:
            result: T = stop.value
            return result

    def get(self, key: Mapping[str, Value], *, owner: str) -> Item:
        """The item if `owner` owns it (or is a reader/editor); NotFound otherwise, missing and
        foreign alike (no existence oracle)."""
        return self.run(self._get(key, owner))

    def create(
        self,
        item: Mapping[str, object],
        *,
        owner: str,
        server_values: Mapping[str, object] | None = None,
    ) -> Item:
        """Put a new item (create-only); owner and version 1 set here; Conflict if it exists.

        Returns the item as `get` would (numbers as Decimal, values converted).
        """
        return self.run(self._create(item, owner, server_values))

    def update(
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
        """One UpdateItem conditional on the owner (an editor too when sharing is declared),
        the version and `when`; returns the updated item. SET `changes`, ADD `add` (counters,
        set union), REMOVE `remove`, list-append `append`, set-DELETE `delete`. Nothing to
        change: no write and no version bump; the checks still apply (one read)."""
        actions = make_actions(changes, add=add, remove=remove, append=append, delete=delete)
        return self.run(
            self._update(
                key,
                actions,
                owner=owner,
                expected_version=expected_version,
                server_values=server_values,
                when=when,
            )
        )

    def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
    ) -> None:
        """One DeleteItem conditional on the owner (and version, and `when`).

        If its answer is lost and the retry finds the item gone, OutcomeUnknown (current=None):
        nothing in DynamoDB proves that this call, not another, deleted it.
        """
        self.run(self._delete(key, owner, expected_version, when))

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: ops.Expected = None,
    ) -> Item:
        """Give the item to `new_owner`, conditional on `owner` still holding it."""
        return self.run(self._transfer(key, owner, new_owner, expected_version))

    def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        return self.run(self._query(owner=owner, index=index, limit=limit, cursor=cursor))

    def query(
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
        """One page of the owner's items: `key` a boto3 Key condition on the index's sort key
        (or its partition key for an index not partitioned by owner, the owner then being a
        filter), `filter` an Attr condition, `fields` a projection, newest first on request."""
        return self.run(
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

    def batch_get(self, keys: Iterable[Mapping[str, Value]], *, owner: str) -> builtins.list[Item]:
        """The owner's items among `keys` (BatchGetItem in chunks of 100, unprocessed keys
        retried), in the order of `keys`; missing and foreign items are left out."""
        from dynaguard.guard.batch import batch_get

        return self.run(batch_get(self.spec, self._retry, keys, owner, self._consistent))

    def share(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        readers: Iterable[str] = (),
        editors: Iterable[str] = (),
        revoke: bool = False,
    ) -> Item:
        """Add (or with `revoke`, remove) readers and editors; only the owner may."""
        return self.run(self._share(key, owner, readers, editors, revoke))

    def as_admin(self, *, reason: str) -> AdminTable:
        """An explicit, logged path around ownership (support, moderation, migrations)."""
        from dynaguard.guard.admin import AdminTable

        return AdminTable(self, reason)

    def transaction(self, *, token: str | None = None) -> Transaction:
        """A TransactWriteItems builder; commits on leaving the `with` block without error."""
        from dynaguard.guard.transaction import Transaction

        return Transaction(self, token=token)

    def chunked(self, *, chunk_size: int = 25) -> ChunkedWriter:
        """Conditional writes of any number of items, sent as transactions of `chunk_size`.

        BatchWriteItem cannot carry conditions, so this is the safe bulk path: each chunk is
        atomic and idempotent, but the chunks are not atomic together.
        """
        from dynaguard.guard.chunked import ChunkedWriter

        return ChunkedWriter(self, chunk_size=chunk_size)

    def create_table(self, *, attribute_types: Mapping[str, str] | None = None) -> None:
        """Create the DynamoDB table from this declaration (tests and demos): key, owner index,
        declared indexes; on-demand billing; attribute types "S" unless given ("N", "B")."""
        from dynaguard.guard.schema import create_table_params

        self.send("create_table", create_table_params(self, attribute_types or {}))
