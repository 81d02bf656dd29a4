"""HTTP statuses as code writes them: `403`, `status.HTTP_403_FORBIDDEN`,
`HTTPStatus.FORBIDDEN`, and the status an `HTTPException(...)`-like call carries."""

from __future__ import annotations

import ast
import re
from http import HTTPStatus

__all__ = ["STATUS_KEYWORDS", "call_status", "status_of"]

STATUS = re.compile(r"(?:HTTP_)?([1-5]\d\d)")  # status.HTTP_403_FORBIDDEN, HTTP_404
STATUS_KEYWORDS = frozenset({"status_code", "status"})


def status_of(expr: ast.expr) -> int | None:
    """403, status.HTTP_403_FORBIDDEN, HTTPStatus.FORBIDDEN."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value if 100 <= expr.value < 600 else None
    if isinstance(expr, ast.Attribute):
        if expr.attr in HTTPStatus.__members__:
            return int(HTTPStatus[expr.attr])
        if found := STATUS.search(expr.attr):
            return int(found.group(1))
    return None


def call_status(call: ast.Call) -> set[int]:
    """What a call building a response or an exception says its status is (its first
    argument, or `status_code=`)."""
    args = [*call.args[:1], *(k.value for k in call.keywords if k.arg in STATUS_KEYWORDS)]
    return {s for a in args if (s := status_of(a)) is not None}
