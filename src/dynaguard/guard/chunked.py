"""Chunked conditional writes: any number of guarded items, sent as transactions.

BatchWriteItem cannot carry conditions, so it cannot keep ownership or versions; this is
the safe bulk path. Each chunk is one TransactWriteItems (atomic, idempotent: the items keep
the writer's token, and each chunk has its own ClientRequestToken); the chunks are not
atomic together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.guard.flows import Flow
from dynaguard.guard.retry import RetryPolicy
from dynaguard.guard.transaction import MAX_ITEMS, SyncCommit, TransactionBuilder, TxResult

if TYPE_CHECKING:
    from dynaguard.guard.table import OwnedTable

# Chunks are sent one transaction at a time, so only memory bounds the whole batch.
CHUNKED_MAX_ITEMS = 10**6


class ChunkedWriter(SyncCommit, TransactionBuilder):
    """Conditional writes of any number of items, committed as transactions of `chunk_size`.

    BatchWriteItem cannot carry conditions; this sends TransactWriteItems chunks instead,
    each with the owner conditions and its own idempotency token. Each chunk is atomic;
    the chunks are not atomic together (a failure leaves the earlier chunks applied, and
    `results` then holds those).
    """

    _max_items = CHUNKED_MAX_ITEMS

    def __init__(self, table: OwnedTable, *, chunk_size: int = 25) -> None:
        super().__init__(table)
        self._table = table
        self._chunk = check_chunk_size(chunk_size)

    def commit(self) -> tuple[TxResult, ...]:
        """Send every chunk in order; returns all results."""
        return self._table.run(chunked_flow(self, self._table.retry_policy, self._chunk))


def check_chunk_size(size: int) -> int:
    """A chunk is one transaction: 1 to MAX_ITEMS items."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_ITEMS:
        raise ValueError(f"chunk_size must be an int from 1 to {MAX_ITEMS}")
    return size


def chunked_flow(
    builder: TransactionBuilder, policy: RetryPolicy, size: int
) -> Flow[tuple[TxResult, ...]]:
    """Commit `builder`'s entries as consecutive transactions of `size` items.

    The items keep the builder's token (in their history); each chunk gets its own
    ClientRequestToken, since DynamoDB refuses one token for different requests.
    """
    if not builder.begin_commit():
        builder._committed = True
        return ()
    done: list[TxResult] = []
    entries = list(builder._entries)
    for number, start in enumerate(range(0, len(entries), size)):
        part = TransactionBuilder(builder._default, token=builder.token)
        part.request_token = f"{builder.token}-{number}"
        part._entries = entries[start : start + size]
        try:
            done.extend((yield from part.commit_flow(policy)))
        finally:
            builder.results = tuple(done)
    builder._committed = True
    return builder.results
