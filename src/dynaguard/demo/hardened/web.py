"""HTTP side of the hardened app: constrained ids and ETags, on dynaguard.guard.fastapi."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Path, Response

from dynaguard.guard.fastapi import etag, require_if_match
from dynaguard.guard.types import Item

# Ids are uuid4 hex: 32 lowercase hex digits, checked before any DynamoDB call.
Uid = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", min_length=32, max_length=32)]
# The version from a mandatory If-Match: 428 when missing, 412 when not ours or stale.
IfMatch = Annotated[int | None, Depends(require_if_match)]


def with_etag(response: Response, item: Item) -> Item:
    """Expose the item's version as its ETag and return the item."""
    version = item.get("version")
    # DynamoDB numbers come back as Decimal; the guard's set_etag only takes int.
    if isinstance(version, int | Decimal) and not isinstance(version, bool):
        response.headers["ETag"] = etag(int(version))
    return item
