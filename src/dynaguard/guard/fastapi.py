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
    Conflict,
    GuardError,
    InvalidCursor,
    NotFound,
    ServerFieldError,
    TransactionCancelled,
)
from dynaguard.guard.types import Value

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

_ETAG = re.compile(r'^"v(\d{1,18})"$')


class PreconditionRequired(GuardError):
    """An update route needs If-Match and the request had none (428)."""


class PreconditionFailed(GuardError):
    """The If-Match header is not an ETag this API issued (412)."""


def etag(version: int) -> str:
    """The strong ETag of a version (If-Match compares strongly: RFC 9110 section 13.1.1)."""
    return f'"v{int(version)}"'


def set_etag(response: Response, item: Mapping[str, Value], version_attr: str = "version") -> None:
    """Expose the item's version as the response's ETag (int, or a Decimal from boto3)."""
    version = item.get(version_attr)
    if isinstance(version, int | Decimal) and not isinstance(version, bool):
        response.headers["ETag"] = etag(int(version))


def parse_if_match(value: str | None, *, required: bool = True) -> int | None:
    """The expected version in an If-Match header; None for `*` (or when optional and absent)."""
    if value is None or not value.strip():
        if required:
            raise PreconditionRequired(PRECONDITION_REQUIRED)
        return None
    value = value.strip()
    if value == "*":
        return None  # any current representation: the owner condition still applies
    match = _ETAG.match(value)
    if match is None:
        raise PreconditionFailed(PRECONDITION_FAILED)  # a list, a weak tag, or not ours
    return int(match.group(1))


def require_if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """FastAPI dependency: the expected version from a mandatory If-Match (428 when missing)."""
    return parse_if_match(if_match, required=True)


def optional_if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
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
    if isinstance(exc, TransactionCancelled):
        return await _on_cancelled(request, exc)
    return await _on_aws_error(request, exc)


async def _on_cancelled(request: Request, exc: TransactionCancelled) -> Response:
    errors = [r.error for r in exc.failed]
    if any(isinstance(e, NotFound) for e in errors):
        return _body(404, NOT_FOUND)
    # A stale item, or another transaction still holding one after every retry: reload, retry.
    if any(isinstance(e, Conflict) for e in errors) or any(
        r.code == "TransactionConflict" for r in exc.failed
    ):
        return _conflict(request, None)
    # ValidationError, ItemCollectionSizeLimitExceeded...: the server's fault, not the client's.
    return await _on_aws_error(request, exc)


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
    """Map guard errors to 404/409/412/422/428/400 and any AWS error to a fixed 500."""
    app.add_exception_handler(GuardError, _on_guard_error)
    app.add_exception_handler(ClientError, _on_aws_error)
    app.add_exception_handler(BotoCoreError, _on_aws_error)
