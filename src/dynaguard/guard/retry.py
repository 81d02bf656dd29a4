"""Bounded, jittered retries for throttling and transient failures.

A retry is only safe because every guarded write records its per-call token in the item's
write history (history.py): a write whose first attempt applied but whose answer was lost
fails its retry's condition, and the ALL_OLD item shows the token (done), even behind other
writers; when the history no longer reaches back, the guard raises OutcomeUnknown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dynaguard.guard.errors import error_code

# Throttling: the request was refused, so it certainly did not apply.
THROTTLING = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
    }
)
# Server-side failures after which the write may or may not have been applied.
AMBIGUOUS_CODES = frozenset({"InternalServerError", "ServiceUnavailable"})
# botocore connection errors, by class name so that aiobotocore's subclasses match too.
_NOT_SENT = frozenset({"EndpointConnectionError", "ConnectTimeoutError", "ProxyConnectionError"})
_MAYBE_SENT = frozenset({"ConnectionClosedError", "ReadTimeoutError", "ResponseStreamingError"})


@dataclass(frozen=True, slots=True)
class Transient:
    """A retryable failure; `ambiguous` when the write may have been applied anyway."""

    ambiguous: bool


def classify(exc: BaseException) -> Transient | None:
    """Transient (and whether it is ambiguous) or None for errors that must not be retried."""
    code = error_code(exc)
    if code is not None:
        if code in THROTTLING:
            return Transient(ambiguous=False)
        if code in AMBIGUOUS_CODES:
            return Transient(ambiguous=True)
        return None
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & _NOT_SENT:
        return Transient(ambiguous=False)
    if names & _MAYBE_SENT or "HTTPClientError" in names:
        return Transient(ambiguous=True)
    return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`attempts` in total (>= 1); full-jitter exponential backoff capped at `max_delay` seconds."""

    attempts: int = 5
    base_delay: float = 0.025
    max_delay: float = 1.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy needs attempts >= 1 and non-negative delays")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt + 1` (full jitter, AWS's advice)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(0.0, ceiling)  # jitter, not security


NO_RETRY = RetryPolicy(attempts=1)
