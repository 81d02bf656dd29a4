"""FastAPI integration: safe error mapping, ETag/If-Match helpers (imported on demand).

No handler ever returns exception text: DynamoDB's messages name tables, attributes and
condition expressions, and `str(e)` of a ClientError is a classic leak (DG112/DG207).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

from dynaguard.guard.errors import (
    ConditionFailed,
    Conflict,
    GuardError,
    InvalidCursor,
    NotFound,
    OutcomeUnknown,
    ServerFieldError,
    TransactionCancelled,
)
from dynaguard.guard.types import Value

__all__ = [
    "CORRELATION_HEADER",
    "BadIfMatch",
    "PreconditionFailed",
    "PreconditionRequired",
    "etag",
    "install_error_handlers",
    "optional_if_match",
    "parse_if_match",
    "require_if_match",
    "set_etag",
]

LOG = logging.getLogger("dynaguard.guard")
CORRELATION_HEADER = "X-Correlation-ID"

# The fixed bodies: what a client may learn from each failure, and nothing more.
NOT_FOUND = "Not found"
CONFLICT = "Conflict: the item was changed; reload it and retry"
PRECONDITION_FAILED = "Precondition failed: the item was changed"
PRECONDITION_REQUIRED = "Precondition required: send If-Match with the item's ETag"
SERVER_FIELDS = "These fields are set by the server"
INVALID_CURSOR = "Invalid cursor"
INTERNAL = "Internal error"

BAD_IF_MATCH = "Malformed If-Match"
CONDITION_FAILED = "Conflict: the item is not in the state this change requires"
OUTCOME_UNKNOWN = (
    "The outcome is unknown: the change may or may not have been applied; reload the item "
    "before retrying"
)

_OURS = re.compile(r"v(\d{1,18})")
# One entity-tag of a list (RFC 9110 8.8.3): optional W/, then a quoted run of etagc.
_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


class PreconditionRequired(GuardError):
    """An update route needs If-Match and the request had none (428)."""


class PreconditionFailed(GuardError):
    """The If-Match header is not an ETag this API issued (412)."""


class BadIfMatch(GuardError, ValueError):
    """The If-Match header is not a valid list of strong entity tags (400, saying why)."""


def etag(version: int) -> str:
    """The strong ETag of a version (If-Match compares strongly: RFC 9110 section 13.1.1)."""
    return f'"v{int(version)}"'


def set_etag(response: Response, item: Mapping[str, Value], version_attr: str = "version") -> None:
    """Expose the item's version as the response's ETag (int, or a Decimal from boto3)."""
    version = item.get(version_attr)
    if isinstance(version, int | Decimal) and not isinstance(version, bool):
        response.headers["ETag"] = etag(int(version))


def _tags(value: str) -> list[str]:
    """The opaque tags of an If-Match list; BadIfMatch saying what is wrong."""
    tags, pos = [], 0
    while pos < len(value):
        match = _TAG.match(value, pos)
        if match is None:
            raise BadIfMatch(
                'If-Match must be "*" or a comma-separated list of quoted ETags, e.g. "v3"'
            )
        if match.group(1):
            raise BadIfMatch(
                'If-Match compares strongly (RFC 9110 13.1.1): a weak ETag (W/"...") never '
                "matches; send the ETag of the response as it is"
            )
        tags.append(match.group(2))
        pos = match.end()
    return tags


def parse_if_match(value: str | None, *, required: bool = True) -> int | tuple[int, ...] | None:
    """The expected version(s) in an If-Match header: an int, a tuple for a list of ETags
    (any may match, RFC 9110 13.1.1), or None for `*` (or when optional and absent).

    Malformed headers are a 400 (BadIfMatch); well-formed ETags this API never issued can
    match nothing: 412 (PreconditionFailed).
    """
    if value is None or not value.strip():
        if required:
            raise PreconditionRequired(PRECONDITION_REQUIRED)
        return None
    value = value.strip()
    if value == "*":
        return None  # any current representation: the owner condition still applies
    versions = []
    for tag in _tags(value):
        ours = _OURS.fullmatch(tag)
        if ours is not None:
            versions.append(int(ours.group(1)))
    if not versions:
        raise PreconditionFailed(PRECONDITION_FAILED)  # no tag of ours: none can match
    return versions[0] if len(versions) == 1 else tuple(sorted(set(versions)))


def require_if_match(
    if_match: Annotated[str | None, Header()] = None,
) -> int | tuple[int, ...] | None:
    """FastAPI dependency: the expected version from a mandatory If-Match (428 when missing)."""
    return parse_if_match(if_match, required=True)


def optional_if_match(
    if_match: Annotated[str | None, Header()] = None,
) -> int | tuple[int, ...] | None:
    """FastAPI dependency: the expected version when If-Match is sent, else None."""
    return parse_if_match(if_match, required=False)


def _body(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _conflict(request: Request, current_version: int | None) -> JSONResponse:
    headers = {"ETag": etag(current_version)} if current_version is not None else None
    # 412 when the client stated the precondition (If-Match), 409 otherwise (RFC 9110 15.5.13).
    if request.headers.get("if-match") is not None:
        return _body(412, PRECONDITION_FAILED, headers)
    return _body(409, CONFLICT, headers)


async def _on_guard_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return _body(404, NOT_FOUND)
    if isinstance(exc, ConditionFailed):  # the version was right; the `when=` state was not
        return _body(409, CONDITION_FAILED)
    if isinstance(exc, Conflict):
        return _conflict(request, exc.current_version)
    if isinstance(exc, ServerFieldError):
        return JSONResponse({"detail": SERVER_FIELDS, "fields": list(exc.fields)}, 422)
    if isinstance(exc, InvalidCursor):
        return _body(400, INVALID_CURSOR)
    if isinstance(exc, PreconditionRequired):
        return _body(428, PRECONDITION_REQUIRED)
    if isinstance(exc, PreconditionFailed):
        return _body(412, PRECONDITION_FAILED)
    if isinstance(exc, BadIfMatch):
        return JSONResponse({"detail": BAD_IF_MATCH, "reason": str(exc)}, 400)
    if isinstance(exc, OutcomeUnknown):
        return await _on_unknown(request, exc)
    if isinstance(exc, TransactionCancelled):
        return await _on_cancelled(request, exc)
    return await _on_aws_error(request, exc)


async def _on_cancelled(request: Request, exc: TransactionCancelled) -> Response:
    errors = [r.error for r in exc.failed]
    if any(isinstance(e, NotFound) for e in errors):
        return _body(404, NOT_FOUND)
    if any(isinstance(e, ConditionFailed) for e in errors):
        return _body(409, CONDITION_FAILED)
    # A stale item, or another transaction still holding one after every retry: reload, retry.
    if any(isinstance(e, Conflict) for e in errors) or any(
        r.code == "TransactionConflict" for r in exc.failed
    ):
        return _conflict(request, None)
    # ValidationError, ItemCollectionSizeLimitExceeded...: the server's fault, not the client's.
    return await _on_aws_error(request, exc)


async def _on_unknown(request: Request, exc: OutcomeUnknown) -> Response:
    correlation = uuid.uuid4().hex
    LOG.warning(
        "outcome unknown [%s] %s %s: %s", correlation, request.method, request.url.path, exc
    )
    return JSONResponse(
        {"detail": OUTCOME_UNKNOWN, "correlation_id": correlation},
        status_code=503,
        headers={CORRELATION_HEADER: correlation},
    )


async def _on_aws_error(request: Request, exc: Exception) -> Response:
    correlation = uuid.uuid4().hex
    # The details go to the server's log, keyed by the id the client gets.
    LOG.error(
        "request failed [%s] %s %s", correlation, request.method, request.url.path, exc_info=exc
    )
    return JSONResponse(
        {"detail": INTERNAL, "correlation_id": correlation},
        status_code=500,
        headers={CORRELATION_HEADER: correlation},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map guard errors to 404/409/412/422/428/400/503 and anything else (AWS or not) to a
    fixed JSON 500 with a correlation id; the details go to the log only."""
    app.add_exception_handler(GuardError, _on_guard_error)
    app.add_exception_handler(ClientError, _on_aws_error)
    app.add_exception_handler(BotoCoreError, _on_aws_error)
    app.add_exception_handler(Exception, _on_aws_error)
