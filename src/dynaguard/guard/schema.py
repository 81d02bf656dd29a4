"""Table creation from the declaration (tests and demos): key, owner index, other indexes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.guard.base import GuardedTable

_TYPES = frozenset({"S", "N", "B"})


def create_table_params(table: GuardedTable, types: Mapping[str, str]) -> dict[str, Any]:
    """CreateTable parameters: on-demand billing, every index projecting all attributes."""
    spec = table.spec
    bad = {t for t in types.values() if t not in _TYPES}
    if bad:
        raise ValueError(f"attribute types are 'S', 'N' or 'B', not {sorted(bad)}")

    def schema(partition: str, sort: str | None) -> list[dict[str, str]]:
        out = [{"AttributeName": partition, "KeyType": "HASH"}]
        if sort:
            out.append({"AttributeName": sort, "KeyType": "RANGE"})
        return out

    attrs = set(spec.key)
    params: dict[str, Any] = {
        "TableName": spec.table_name,
        "KeySchema": schema(spec.key[0], spec.key[1] if len(spec.key) > 1 else None),
        "BillingMode": "PAY_PER_REQUEST",
    }
    indexes = []
    for name, (partition, sort) in sorted(table.indexes.items()):
        attrs |= {partition, *([sort] if sort else [])}
        indexes.append(
            {
                "IndexName": name,
                "KeySchema": schema(partition, sort),
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    if indexes:
        params["GlobalSecondaryIndexes"] = indexes
    params["AttributeDefinitions"] = [
        {"AttributeName": a, "AttributeType": types.get(a, "S")} for a in sorted(attrs)
    ]
    return params
