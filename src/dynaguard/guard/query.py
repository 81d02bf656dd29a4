"""Queries: the owner's items through the owner index (or the key), or through another index
with the owner as a filter. Never a Scan.

Sort-key conditions and filters are boto3's own `Key(...)`/`Attr(...)` conditions; the
guard adds the owner to the request and drops anything not the owner's from the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard.expressions import Expr, conjunction
from dynaguard.guard.spec import Spec, check_owner
from dynaguard.guard.types import Item

MAX_PAGE = 1000
# Declared indexes: name -> (partition key, sort key or None).
Indexes = Mapping[str, tuple[str, str | None]]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the owner's items and the opaque cursor of the next one (None at the end)."""

    items: list[Item]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class Query:
    """A planned Query and what its cursors must contain."""

    params: dict[str, object]
    required: frozenset[str]  # in every start key: the table key and the index partition


def _index_keys(
    spec: Spec, index: str | None, indexes: Indexes, owner_index: str | None
) -> tuple[str | None, str, str | None]:
    """(index name, partition key, sort key) of the query."""
    if index is None:
        if spec.key[0] == spec.owner:
            return None, spec.owner, spec.key[1] if len(spec.key) > 1 else None
        if owner_index is None:
            raise ValueError(
                "this query needs an owner index (declare owner_index=...) unless the owner "
                "is the partition key"
            )
        index = owner_index
    declared = indexes.get(index)
    if declared is None:  # an index the table was not told about: assume an owner index
        return index, spec.owner, None
    return index, declared[0], declared[1]


def plan_query(
    spec: Spec,
    *,
    owner: str,
    index: str | None,
    indexes: Indexes,
    owner_index: str | None,
    limit: int,
    start: Item | None = None,
    consistent: bool = False,
    key: ConditionBase | None = None,
    filter: ConditionBase | None = None,
    fields: Iterable[str] | None = None,
    newest_first: bool = False,
) -> Query:
    """Query parameters: the owner is the partition key, or a filter on another index."""
    check_owner(owner)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be an int from 1 to {MAX_PAGE}")
    name, partition, sort = _index_keys(spec, index, indexes, owner_index)
    ex = Expr()
    filters = [] if filter is None else [ex.condition(filter)]
    if partition == spec.owner:
        keys = [ex.eq(spec.owner, owner)]
        if key is not None:
            keys.append(ex.condition(key, key=True))
    else:
        if key is None:
            raise ValueError(f"a query on index {name!r} needs key=Key({partition!r}).eq(...)")
        keys = [ex.condition(key, key=True)]
        filters.insert(0, ex.eq(spec.owner, owner))  # the owner, checked by DynamoDB too
    key_expr = conjunction(keys)
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "KeyConditionExpression": key_expr,
        "Limit": limit,
    }
    if filters:
        params["FilterExpression"] = conjunction(filters)
    if fields is not None:
        if isinstance(fields, str):
            raise TypeError(f"fields must be a list of attribute names, not the string {fields!r}")
        wanted = dict.fromkeys([*spec.key, spec.owner, spec.version, partition, *fields])
        if sort:
            wanted[sort] = None
        params["ProjectionExpression"] = ", ".join(ex.name(f) for f in wanted)
    expressions = ("KeyConditionExpression", "FilterExpression", "ProjectionExpression")
    params.update(ex.params(*(str(params[e]) for e in expressions if e in params)))
    if name is not None:
        params["IndexName"] = name
    elif consistent:  # global secondary indexes cannot be read consistently; the table can
        params["ConsistentRead"] = True
    if newest_first:
        params["ScanIndexForward"] = False
    if start is not None:
        params["ExclusiveStartKey"] = start
    return Query(params, frozenset({*spec.key, partition}))


def page_items(spec: Spec, response: Mapping[str, object], owner: str) -> list[Item]:
    """The page's items; anything not the owner's is dropped (the condition ensures it)."""
    raw = response.get("Items")
    rows = raw if isinstance(raw, list) else []
    items = [spec.strip(row) for row in rows if isinstance(row, Mapping)]
    return [i for i in items if i.get(spec.owner) == owner]
