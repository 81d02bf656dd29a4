"""Helpers shared by the guard tests (importable: pytest puts this directory on sys.path)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

_counter = itertools.count()
OWNER_INDEX = "owner-index"
MakeTable = Callable[..., Any]


def unique(prefix: str) -> str:
    """A table name no other test uses (state on the session server is shared)."""
    return f"{prefix}-{next(_counter)}"


class Requests:
    """DynamoDB operations actually sent over HTTP (one per attempt), in order."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def __call__(self, request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        self.ops.append(target.rsplit(".", 1)[-1])


def raw_item(table: Any, key: dict[str, Any]) -> dict[str, Any] | None:
    """The item exactly as stored (token included), read around the guard."""
    found: dict[str, Any] | None = table.get_item(Key=key, ConsistentRead=True).get("Item")
    return found


class _Raw:
    """The minimal `raw` an AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    async def read(self) -> bytes:
        return self._body


def error_response(code: str, status: int = 400, *, aio: bool = False, **fields: Any) -> Any:
    """A DynamoDB JSON error response, as botocore (or aiobotocore) would have received it.

    `fields` are the error's modelled members (e.g. CancellationReasons).
    """
    from aiobotocore.awsrequest import AioAWSResponse
    from botocore.awsrequest import AWSResponse

    body = json.dumps(
        {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "x", **fields}
    )
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
    kind = AioAWSResponse if aio else AWSResponse
    return kind("http://127.0.0.1/", status, headers, _Raw(body.encode()))


class Fault:
    """A botocore event handler that fires for the first `times` matching requests."""

    def __init__(self, times: int, action: Callable[[], Any]) -> None:
        self.left = times
        self.fired = 0
        self._action = action

    def __call__(self, **_: Any) -> Any:
        if self.left <= 0:
            return None
        self.left -= 1
        self.fired += 1
        return self._action()
