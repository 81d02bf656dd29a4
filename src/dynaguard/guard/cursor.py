"""Opaque pagination cursors: base64 of DynamoDB's LastEvaluatedKey, validated on the way back.

A cursor comes back from the client, so it is input: decoding checks its shape, its size, and
that it belongs to the owner asking (optionally an HMAC too), and anything else is an
InvalidCursor (a 400), never a ValidationException from DynamoDB (a 500).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal

from boto3.dynamodb.types import Binary

from dynaguard.guard.errors import InvalidCursor
from dynaguard.guard.types import Item, Value

MAX_CURSOR_CHARS = 2048
_KEY_TYPES = frozenset({"S", "N", "B"})
_SIG_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:  # validate=True: no silently skipped characters, so no two spellings of one cursor
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest()[:_SIG_BYTES])


def _typed(value: object) -> dict[str, str]:
    # Key attributes are strings, numbers or binary (DynamoDB's rule for key schemas).
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Binary):
        raw: bytes = value.value  # type: ignore[attr-defined]  # missing from the stubs
        return {"B": _b64(raw)}
    if isinstance(value, bytes | bytearray):
        return {"B": _b64(bytes(value))}
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return {"N": str(value)}
    raise TypeError(f"unexpected key attribute type {type(value).__name__}")


def encode_cursor(
    last_key: Mapping[str, object] | None, secret: bytes | None = None, owner: str = ""
) -> str | None:
    """The cursor for the next page (bound to `owner`), or None when this was the last page."""
    if not last_key:
        return None
    typed = {name: _typed(value) for name, value in last_key.items()}
    body = {"k": typed, "o": owner}
    payload = _b64(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return payload if secret is None else f"{payload}.{_sign(secret, payload)}"


def _key_value(value: object) -> Value:
    if not isinstance(value, dict) or len(value) != 1:
        raise InvalidCursor()
    ((kind, raw),) = value.items()
    if kind not in _KEY_TYPES or not isinstance(raw, str):
        raise InvalidCursor()
    if kind == "S":
        return raw
    if kind == "B":
        return _unb64(raw)
    try:
        number = Decimal(raw)
    except ArithmeticError:
        raise InvalidCursor() from None
    if not number.is_finite():
        raise InvalidCursor()
    return number


def decode_cursor(
    cursor: str,
    *,
    required: frozenset[str],
    owner_attr: str,
    owner: str,
    secret: bytes | None = None,
    extra: int = 1,
) -> Item:
    """The ExclusiveStartKey inside a cursor; InvalidCursor for anything we did not issue.

    `required`: the attributes every start key of this query has; `extra`: how many more it
    may have (an index sort key).
    """
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor()
    payload, _, signature = cursor.partition(".")
    if secret is not None and not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidCursor()
    try:
        body = json.loads(_unb64(payload))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidCursor() from None
    if not isinstance(body, dict) or set(body) != {"k", "o"} or body["o"] != owner:
        raise InvalidCursor()
    data = body["k"]
    # The table's key and the index key, plus at most `extra` index sort key.
    if not isinstance(data, dict) or not required <= set(data) or len(data) > len(required) + extra:
        raise InvalidCursor()
    if owner_attr in data and data[owner_attr] != {"S": owner}:
        raise InvalidCursor()
    return {str(name): _key_value(value) for name, value in data.items()}
