"""dynaguard.guard: integrity-safe DynamoDB access — the fix the scanner and the prober point at.

Ownership lives in each write's ConditionExpression (one round trip, no read-then-write race),
versions grow only server-side, creates are create-only, transactions carry the same
conditions, and server-controlled fields cannot be set by callers. FastAPI helpers are in
`dynaguard.guard.fastapi` (imported on demand, so this package does not need FastAPI).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from dynaguard.guard.admin import AdminTable, AsyncAdminTable
from dynaguard.guard.aio import AsyncChunkedWriter, AsyncOwnedTable, AsyncTransaction
from dynaguard.guard.chunked import ChunkedWriter
from dynaguard.guard.errors import (
    CancellationReason,
    ConditionFailed,
    Conflict,
    DuplicateItem,
    GuardError,
    InvalidCursor,
    NotFound,
    OutcomeUnknown,
    ServerFieldError,
    TransactionCancelled,
    TransactionTooLarge,
)
from dynaguard.guard.query import Page
from dynaguard.guard.retry import RetryPolicy
from dynaguard.guard.table import OwnedTable
from dynaguard.guard.transaction import MAX_ITEMS, Transaction, TxResult

if TYPE_CHECKING:  # Pydantic is needed only by typed tables: imported on first use
    from dynaguard.guard.typed import AsyncModelTable, ModelPage, ModelTable

_TYPED = frozenset({"AsyncModelTable", "ModelPage", "ModelTable"})


def __getattr__(name: str) -> Any:
    """Typed tables on demand (they need Pydantic; the rest of the guard does not)."""
    if name in _TYPED:
        from dynaguard.guard import typed

        return getattr(typed, name)
    raise AttributeError(f"module 'dynaguard.guard' has no attribute {name!r}")


__all__ = [
    "MAX_ITEMS",
    "AdminTable",
    "AsyncAdminTable",
    "AsyncChunkedWriter",
    "AsyncModelTable",
    "AsyncOwnedTable",
    "AsyncTransaction",
    "Attr",
    "CancellationReason",
    "ChunkedWriter",
    "ConditionFailed",
    "Conflict",
    "DuplicateItem",
    "GuardError",
    "InvalidCursor",
    "Key",
    "ModelPage",
    "ModelTable",
    "NotFound",
    "OutcomeUnknown",
    "OwnedTable",
    "Page",
    "RetryPolicy",
    "ServerFieldError",
    "Transaction",
    "TransactionCancelled",
    "TransactionTooLarge",
    "TxResult",
]
