"""Shared type aliases: Python-side item values and DynamoDB's typed (wire) values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias

# What boto3's TypeSerializer accepts and TypeDeserializer returns (numbers come back as Decimal).
Value: TypeAlias = (
    "str | int | Decimal | bool | bytes | bytearray | Sequence[Value]"
    " | Mapping[str, Value] | set[str] | set[int] | set[Decimal] | set[bytes] | None"
)
Item: TypeAlias = dict[str, Value]
