"""The guard's exceptions, and ClientError classification by error code (never message text)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dynaguard.guard.types import Item

# DynamoDB error codes the guard branches on (ClientError.response["Error"]["Code"]).
CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"


class GuardError(Exception):
    """Base class of every error the guard raises on purpose."""


class NotFound(GuardError):
    """The item is missing or belongs to someone else (deliberately indistinguishable)."""

    def __init__(self, message: str = "item not found") -> None:
        super().__init__(message)


class Conflict(GuardError):
    """The write lost a race: the item exists, but not in the expected version or state.

    `current_version` is the version DynamoDB holds now and `current` the item itself (both
    from ALL_OLD, no second read), so a retry needs no extra read; both are None when the
    caller may not see them (another owner's item on create).
    """

    def __init__(
        self, current_version: int | None = None, current: Item | None = None, message: str = ""
    ) -> None:
        self.current_version = current_version
        self.current = current
        super().__init__(message or f"conflict (current version: {current_version})")


class ConditionFailed(Conflict):
    """The item is the caller's (and in the expected version) but the `when=` condition failed."""


class OutcomeUnknown(GuardError):
    """A retried write cannot prove whether an earlier attempt, whose answer was lost, applied.

    Raised instead of guessing: the write history kept in the item (`history=` slots) no longer
    reaches back to that attempt, or the item is gone (a delete). `current` is the item as it is
    now when the caller may see it (None when it is missing or someone else's). Reload it and
    decide; retrying blindly may apply the write twice.
    """

    def __init__(self, operation: str, current: Item | None = None) -> None:
        self.operation = operation
        self.current = current
        state = "the item is gone" if current is None else "the item has changed since"
        super().__init__(f"{operation}: outcome unknown after a lost answer ({state})")


class ServerFieldError(GuardError, ValueError):
    """The caller tried to set a server-controlled field; nothing was written."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = tuple(sorted(set(fields)))
        super().__init__(f"server-controlled fields cannot be set: {', '.join(self.fields)}")


class InvalidCursor(GuardError, ValueError):
    """A pagination cursor that this table did not issue for this owner (tampered or stale)."""

    def __init__(self) -> None:
        super().__init__("invalid pagination cursor")


class TransactionTooLarge(GuardError, ValueError):
    """More items than one TransactWriteItems call accepts."""


class DuplicateItem(GuardError, ValueError):
    """The same item twice in one transaction: DynamoDB allows one action per item."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CancellationReason:
    """Why one labelled item of a transaction was cancelled (code "None" = it was fine)."""

    label: str
    code: str
    error: NotFound | Conflict | OutcomeUnknown | None = None
    item: Item | None = None

    @property
    def failed(self) -> bool:
        """True for the items that caused the cancellation."""
        return self.code not in ("None", "")


class TransactionCancelled(GuardError):
    """DynamoDB cancelled the transaction; `reasons` follow the caller's order, labelled."""

    def __init__(self, reasons: Iterable[CancellationReason]) -> None:
        self.reasons = tuple(reasons)
        failed = [f"{r.label}: {r.code}" for r in self.reasons if r.failed]
        super().__init__("transaction cancelled (" + ", ".join(failed or ["no reason"]) + ")")

    @property
    def failed(self) -> tuple[CancellationReason, ...]:
        """Only the reasons that caused the cancellation."""
        return tuple(r for r in self.reasons if r.failed)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None (duck-typed: aiobotocore too)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error")
    code = error.get("Code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None
