"""Python values -> DynamoDB values (what boto3's TypeSerializer accepts), in one place.

boto3 refuses floats, datetimes, dates, UUIDs and Enums with a bare TypeError that would
reach an API client as a 500. The guard converts them on the way in: floats to Decimal (via
their shortest repr), datetimes and dates to ISO 8601 strings (sortable, and what Pydantic
parses back), UUIDs to their string, Enums to their value. Anything else unknown is refused
here with the attribute's type named.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal

from dynaguard.guard.types import Value

_PLAIN = (str, bool, int, Decimal, bytes, bytearray)


def to_dynamo(value: object) -> Value:
    """A value DynamoDB can store; TypeError naming the type for anything else."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, enum.Enum):
        return to_dynamo(value.value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError("DynamoDB numbers cannot be NaN or infinite")
        return Decimal(repr(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    if isinstance(value, set | frozenset):
        return {to_dynamo(v) for v in value}  # type: ignore[return-value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a nested Pydantic model
        return to_dynamo(dump())
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB; convert it first")


def to_item(values: Mapping[str, object]) -> dict[str, Value]:
    """Every value of a mapping converted (keys stay as given)."""
    return {k: to_dynamo(v) for k, v in values.items()}


def epoch_seconds(value: object) -> Value:
    """A TTL attribute: DynamoDB expects whole epoch seconds (a Number), not a string."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("a TTL datetime must be timezone-aware (e.g. datetime.UTC)")
        return int(value.timestamp())
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return int(value)
    if value is None:
        return None
    raise TypeError(f"a TTL attribute is a datetime or epoch seconds, not {type(value).__name__}")
