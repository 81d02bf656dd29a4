"""Each operation's requests, retries and decisions, written once for sync and async.

A flow is a generator: it yields `Call` (send this request, send me the answer or throw me
the exception) and `Sleep` (wait before a retry). OwnedTable drives it with boto3 and
time.sleep, AsyncOwnedTable with aioboto3 and asyncio.sleep; neither decides anything.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from dynaguard.guard.errors import CONDITION_FAILED, error_code
from dynaguard.guard.outcome import failure_outcome, success_outcome
from dynaguard.guard.retry import RetryPolicy, classify
from dynaguard.guard.spec import Plan, Spec
from dynaguard.guard.types import Item

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """Send one low-level client operation."""

    op: str
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait before the next attempt."""

    seconds: float


Flow = Generator[Call | Sleep, Any, T]


def botocore_retried(exc: BaseException) -> bool:
    """botocore's own retry layer resent the request: an earlier attempt may have applied."""
    response = getattr(exc, "response", None)
    meta = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    return bool(isinstance(meta, dict) and meta.get("RetryAttempts"))


def old_item(exc: BaseException) -> object:
    """The ALL_OLD item of a ConditionalCheckFailedException (absent when the item is missing)."""
    response = getattr(exc, "response", None)
    return response.get("Item") if isinstance(response, dict) else None


def write(spec: Spec, policy: RetryPolicy, plan: Plan) -> Flow[Item | None]:
    """Send a planned write until it applies, is proven applied, or fails for good."""
    ambiguous = False
    for attempt in range(policy.attempts):
        params = plan.retry_params if ambiguous and plan.retry_params else plan.params
        try:
            response = yield Call(plan.op, params)
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                ambiguous = ambiguous or botocore_retried(exc)
                done, error = failure_outcome(spec, plan, old_item(exc), ambiguous)
                if error is not None:
                    raise error from None
                return done
            transient = classify(exc)
            if transient is None or attempt + 1 >= policy.attempts:
                raise
            # A lost answer is no sign of overload: retry at once, while the history is short.
            if not transient.ambiguous or error_code(exc) is not None:
                yield Sleep(policy.delay(attempt))
            ambiguous = ambiguous or transient.ambiguous
            continue
        return success_outcome(spec, plan, response)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def read(policy: RetryPolicy, op: str, params: Mapping[str, object]) -> Flow[dict[str, Any]]:
    """Send a read, retrying transient failures within the budget."""
    for attempt in range(policy.attempts):
        try:
            response: dict[str, Any] = yield Call(op, params)
        except Exception as exc:
            if classify(exc) is None or attempt + 1 >= policy.attempts:
                raise
            yield Sleep(policy.delay(attempt))
            continue
        return response
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
