"""Requests and outcomes shared by the sync and async tables: pure, no I/O.

Each guarded operation is planned once (`plan_*`) into the exact low-level request, then the
table sends it and hands the answer back here. Failed conditions are interpreted from the
ALL_OLD item DynamoDB returns with ConditionalCheckFailedException, so telling "missing or
not yours" (NotFound) from "stale version" (Conflict) costs no second read.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from dynaguard.guard.errors import Conflict, NotFound, ServerFieldError
from dynaguard.guard.expressions import Expr, conjunction
from dynaguard.guard.types import Item, Value

_DESERIALIZER = TypeDeserializer()
# "ALL_OLD" on a failed condition: DynamoDB returns the item as it was (since 2023-06).
_ON_FAILURE = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}


def deserialize_item(wire: Mapping[str, object]) -> Item:
    """DynamoDB typed item -> Python values (numbers as Decimal).

    Requests and successful answers go through the Table resource's client, which types and
    untypes values itself; error responses (ALL_OLD, cancellation reasons) stay typed.
    """
    # The wire shapes come from DynamoDB (or a checked cursor); TypeDeserializer validates them.
    return {k: _DESERIALIZER.deserialize(v) for k, v in wire.items()}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Spec:
    """What the guard knows about a table: its name and the attributes it controls."""

    table_name: str
    key: tuple[str, ...]
    owner: str
    version: str
    token: str
    server_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def managed(self) -> frozenset[str]:
        """Attributes no caller may set through an item body or changes."""
        return frozenset({*self.key, self.owner, self.version, self.token}) | self.server_fields

    def strip(self, item: Mapping[str, Value]) -> Item:
        """The item as callers see it: no write token, the version as an int."""
        out = {k: v for k, v in item.items() if k != self.token}
        version = out.get(self.version)
        if isinstance(version, Decimal) and version == version.to_integral_value():
            out[self.version] = int(version)
        return out


@dataclass(frozen=True, slots=True)
class Plan:
    """One planned write: the low-level operation, its parameters, and what it asserts."""

    kind: str  # create | update | delete | transfer | check
    op: str  # put_item | update_item | delete_item | (check: transactions only)
    params: dict[str, object]
    owner: str
    expected_version: int | Decimal | None
    token: str | None
    item: Item | None = None  # create: the item as written


def version_of(item: Mapping[str, Value] | None, spec: Spec) -> int | None:
    """The item's version as an int, or None when absent."""
    raw = None if item is None else item.get(spec.version)
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        return None
    return int(raw)


def check_owner(owner: str, what: str = "owner") -> str:
    """Owners are non-empty strings: an unauthenticated None must never match anything."""
    if not isinstance(owner, str) or not owner:
        raise ValueError(f"{what} must be a non-empty string")
    return owner


def key_of(spec: Spec, key: Mapping[str, Value]) -> Item:
    """The primary key: exactly the table's key attributes, none empty."""
    if not isinstance(key, Mapping) or set(key) != set(spec.key):
        raise ValueError(f"key must have exactly the attributes {list(spec.key)}")
    # DynamoDB refuses empty key strings and binaries (ValidationException, a 500 otherwise).
    if any(v is None or (isinstance(v, str | bytes | bytearray) and not v) for v in key.values()):
        raise ValueError("key attributes cannot be empty")
    return {k: key[k] for k in spec.key}


def _check_fields(spec: Spec, body: Mapping[str, Value], allowed: Iterable[str] = ()) -> None:
    bad = set(body) & (spec.managed - set(allowed))
    if bad:
        raise ServerFieldError(bad)


def _check_server_values(spec: Spec, values: Mapping[str, Value] | None) -> Mapping[str, Value]:
    values = values or {}
    unknown = set(values) - spec.server_fields
    if unknown:
        raise ValueError(f"server_values may only set declared server fields: {sorted(unknown)}")
    return values


def _check_version(expected: int | Decimal | None) -> int | None:
    # boto3 reads numbers back as Decimal: a version taken from a raw item is Decimal("3").
    if isinstance(expected, Decimal) and expected.is_finite() and expected == int(expected):
        return int(expected)
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ValueError("expected_version must be a whole number (int or Decimal) or None")
    return expected


def new_token() -> str:
    """A unique per-call token, 128 random bits (also a valid ClientRequestToken: <= 36 chars)."""
    return secrets.token_hex(16)


def _guards(spec: Spec, ex: Expr, owner: str, expected: int | None, token: str | None) -> str:
    parts = [ex.eq(spec.owner, owner)]
    if expected is not None:
        parts.append(ex.eq(spec.version, expected))
    if token is not None:
        parts.append(ex.differs(spec.token, token))
    return conjunction(parts)


def plan_create(
    spec: Spec,
    item: Mapping[str, Value],
    *,
    owner: str,
    server_values: Mapping[str, Value] | None,
    token: str | None = None,
) -> Plan:
    """PutItem with attribute_not_exists(key): owner, version 1 and token set server-side."""
    check_owner(owner)
    _check_fields(spec, item, allowed=spec.key)
    if spec.owner in spec.key and item.get(spec.owner, owner) != owner:
        raise ServerFieldError([spec.owner])  # an owner-partitioned key names its owner
    extra = _check_server_values(spec, server_values)
    item = {**item, spec.owner: owner} if spec.owner in spec.key else item
    key_part = {k: item[k] for k in spec.key if k in item}
    key_of(spec, key_part)  # validates presence and emptiness of the key attributes
    token = token or new_token()
    written: Item = {**item, **extra, spec.owner: owner, spec.version: 1}
    ex = Expr()
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "Item": {**written, spec.token: token},
        "ConditionExpression": ex.not_exists(spec.key[0]),
        **ex.params(),
        **_ON_FAILURE,
    }
    return Plan("create", "put_item", params, owner, None, token, written)


def _plan_set(
    kind: str,
    spec: Spec,
    *,
    key: Mapping[str, Value],
    sets: Mapping[str, Value],
    owner: str,
    expected: int | None,
    token: str | None,
) -> Plan:
    token = token or new_token()
    ex = Expr()
    version = ex.increment(spec.version, exists=expected is not None)
    assignments = [*ex.set_clause(sets), version, ex.eq(spec.token, token)]
    # A replay of this write fails its condition anyway when it pins the version or moves the
    # item to another owner; otherwise the token itself must be in the condition.
    replay_fails = expected is not None or sets.get(spec.owner, owner) != owner
    condition = _guards(spec, ex, owner, expected, None if replay_fails else token)
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "Key": key_of(spec, key),
        "UpdateExpression": "SET " + ", ".join(assignments),
        "ConditionExpression": condition,
        **ex.params(),
        "ReturnValues": "ALL_NEW",
        **_ON_FAILURE,
    }
    return Plan(kind, "update_item", params, owner, expected, token)


def plan_update(
    spec: Spec,
    key: Mapping[str, Value],
    changes: Mapping[str, Value],
    *,
    owner: str,
    expected_version: int | Decimal | None,
    server_values: Mapping[str, Value] | None,
    token: str | None = None,
) -> Plan:
    """One UpdateItem: owner (and version) in the condition, version + 1 server-side."""
    check_owner(owner)
    if not isinstance(changes, Mapping):
        raise ValueError("changes must be a mapping of attribute names to values")
    _check_fields(spec, changes)
    extra = _check_server_values(spec, server_values)
    expected = _check_version(expected_version)
    return _plan_set(
        "update",
        spec,
        key=key,
        sets={**changes, **extra},
        owner=owner,
        expected=expected,
        token=token,
    )


def plan_transfer(
    spec: Spec,
    key: Mapping[str, Value],
    *,
    owner: str,
    new_owner: str,
    expected_version: int | Decimal | None,
    token: str | None = None,
) -> Plan:
    """One UpdateItem that moves ownership, conditional on the current owner."""
    check_owner(owner)
    check_owner(new_owner, "new_owner")
    if spec.owner in spec.key:
        raise ValueError("the owner is part of the key: move the item with a transaction instead")
    expected = _check_version(expected_version)
    return _plan_set(
        "transfer",
        spec,
        key=key,
        sets={spec.owner: new_owner},
        owner=owner,
        expected=expected,
        token=token,
    )


def plan_delete(
    spec: Spec, key: Mapping[str, Value], *, owner: str, expected_version: int | Decimal | None
) -> Plan:
    """One DeleteItem with the owner (and version) in the condition."""
    check_owner(owner)
    expected = _check_version(expected_version)
    ex = Expr()
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "Key": key_of(spec, key),
        "ConditionExpression": _guards(spec, ex, owner, expected, None),
        **ex.params(),
        **_ON_FAILURE,
    }
    return Plan("delete", "delete_item", params, owner, expected, None)


def plan_check(
    spec: Spec, key: Mapping[str, Value], *, owner: str, expected_version: int | Decimal | None
) -> Plan:
    """A transaction ConditionCheck: the item exists, is the owner's (and in that version)."""
    plan = plan_delete(spec, key, owner=owner, expected_version=expected_version)
    return Plan("check", "condition_check", plan.params, owner, plan.expected_version, None)


def plan_get(spec: Spec, key: Mapping[str, Value], consistent: bool) -> dict[str, object]:
    """GetItem parameters (ownership is checked on the answer: reads cannot race a write)."""
    return {"TableName": spec.table_name, "Key": key_of(spec, key), "ConsistentRead": consistent}


def read_outcome(spec: Spec, response: Mapping[str, object], owner: str) -> Item:
    """The owner's item from a GetItem answer, or NotFound (missing and foreign look the same)."""
    check_owner(owner)
    raw = response.get("Item")
    item = spec.strip(raw) if isinstance(raw, Mapping) else None
    if item is None or item.get(spec.owner) != owner:
        raise NotFound()
    return item


def success_outcome(spec: Spec, plan: Plan, response: Mapping[str, object]) -> Item | None:
    """What a successful write returns: the created item, the updated item, or None."""
    if plan.kind == "create":
        return dict(plan.item or {})
    attrs = response.get("Attributes")
    if plan.kind in ("update", "transfer") and isinstance(attrs, Mapping):
        return spec.strip(attrs)
    return None


def written(result: Item | None) -> Item:
    """The item a create, update or transfer returns (DynamoDB always sends one back)."""
    if result is None:
        raise RuntimeError("DynamoDB answered a write without the item it returns")
    return result


def failure_outcome(
    spec: Spec, plan: Plan, old_wire: object, ambiguous: bool
) -> tuple[Item | None, NotFound | Conflict | None]:
    """(result, None) when the write is recognised as already done, else (None, error)."""
    old = deserialize_item(old_wire) if isinstance(old_wire, Mapping) else None
    if old is not None and plan.token is not None and old.get(spec.token) == plan.token:
        # Our own token is in the item: an earlier attempt applied and its answer was lost.
        return spec.strip(old), None
    if plan.kind == "delete" and old is None and ambiguous:
        # The item is gone after an attempt that may have applied: a delete's only effect.
        return None, None
    if plan.kind == "create" and (old is None or old.get(spec.owner) != plan.owner):
        return None, Conflict()  # taken, by someone else: tell nothing about their item
    if old is None or old.get(spec.owner) != plan.owner:
        return None, NotFound()
    return None, Conflict(version_of(old, spec), spec.strip(old))


MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the owner's items and the opaque cursor of the next one (None at the end)."""

    items: list[Item]
    cursor: str | None


def plan_list(
    spec: Spec,
    owner: str,
    index: str | None,
    limit: int,
    start: Item | None,
    *,
    consistent: bool = False,
) -> dict[str, object]:
    """Query parameters: the owner is the partition key of `index` (or of the table); no Scan."""
    check_owner(owner)
    if index is None and spec.key[0] != spec.owner:
        raise ValueError("list() needs an owner index unless the owner is the partition key")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be an int from 1 to {MAX_PAGE}")
    ex = Expr()
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "KeyConditionExpression": ex.eq(spec.owner, owner),
        **ex.params(),
        "Limit": limit,
    }
    if index is not None:
        params["IndexName"] = index
    elif consistent:  # global secondary indexes cannot be read consistently; the table can
        params["ConsistentRead"] = True
    if start is not None:
        params["ExclusiveStartKey"] = start
    return params


def cursor_fields(spec: Spec) -> frozenset[str]:
    """Attributes every LastEvaluatedKey of an owner query carries."""
    return frozenset({*spec.key, spec.owner})


def page_items(spec: Spec, response: Mapping[str, object], owner: str) -> list[Item]:
    """The page's items; anything not the owner's is dropped (the key condition ensures it)."""
    raw = response.get("Items")
    rows = raw if isinstance(raw, list) else []
    items = [spec.strip(row) for row in rows if isinstance(row, Mapping)]
    return [i for i in items if i.get(spec.owner) == owner]
