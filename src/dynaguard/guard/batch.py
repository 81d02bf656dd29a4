"""Batch get of owned items: BatchGetItem in chunks of 100, unprocessed keys retried."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from dynaguard.guard.flows import Flow, Sleep, read
from dynaguard.guard.retry import RetryPolicy
from dynaguard.guard.spec import Spec, check_owner, key_of, may_read
from dynaguard.guard.types import Item, Value

MAX_BATCH_GET = 100


def _ident(spec: Spec, item: Mapping[str, Value]) -> str:
    return json.dumps([str(item.get(k)) for k in spec.key])


def batch_get(
    spec: Spec,
    policy: RetryPolicy,
    keys: Iterable[Mapping[str, Value]],
    owner: str,
    consistent: bool,
) -> Flow[list[Item]]:
    """The items `owner` may read, in the order of `keys` (duplicates once)."""
    check_owner(owner)
    wanted = {_ident(spec, k): key_of(spec, k) for k in keys}
    found: dict[str, Item] = {}
    pending = list(wanted.values())
    while pending:
        chunk, pending = pending[:MAX_BATCH_GET], pending[MAX_BATCH_GET:]
        for attempt in range(policy.attempts):
            request = {spec.table_name: {"Keys": chunk, "ConsistentRead": consistent}}
            response = yield from read(policy, "batch_get_item", {"RequestItems": request})
            for row in response.get("Responses", {}).get(spec.table_name, []):
                item = spec.strip(row)
                if may_read(spec, item, owner):
                    found[_ident(spec, item)] = item
            left = response.get("UnprocessedKeys", {}).get(spec.table_name, {}).get("Keys", [])
            if not left:
                break
            if attempt + 1 >= policy.attempts:
                raise RuntimeError(f"{len(left)} keys stayed unprocessed after every retry")
            chunk = list(left)
            yield Sleep(policy.delay(attempt))
    return [found[i] for i in wanted if i in found]
