"""Planned writes: each guarded operation becomes the exact low-level request. Pure, no I/O.

Ownership (and the version, and the caller's `when=`) lives in the ConditionExpression, so a
write is one round trip with no read-then-write race. Every write records its token in the
item's history (history.py) so that a retry can recognise its own earlier attempt.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from decimal import Decimal

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard import history
from dynaguard.guard.actions import Actions
from dynaguard.guard.convert import to_item
from dynaguard.guard.errors import ServerFieldError
from dynaguard.guard.expressions import Expr, conjunction
from dynaguard.guard.spec import (
    Plan,
    Spec,
    as_stored,
    check_owner,
    deserialize_item,
    key_of,
    version_of,
)
from dynaguard.guard.types import Item, Value

# Re-exported: these lived here before spec.py held the shared data types.
__all__ = [
    "Plan",
    "Spec",
    "check_owner",
    "deserialize_item",
    "key_of",
    "new_token",
    "plan_check",
    "plan_create",
    "plan_delete",
    "plan_get",
    "plan_transfer",
    "plan_update",
    "version_of",
    "written",
]

# "ALL_OLD" on a failed condition: DynamoDB returns the item as it was (since 2023-06).
_ON_FAILURE = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
Expected = int | Decimal | Collection[int] | None


def new_token() -> str:
    """A unique per-call token: 96 random bits in 16 characters (a valid ClientRequestToken)."""
    return secrets.token_urlsafe(12)


def check_fields(spec: Spec, names: Collection[str], allowed: Collection[str] = ()) -> None:
    """ServerFieldError when a caller's attribute is one the guard or the server controls."""
    bad = set(names) & (spec.managed - set(allowed))
    if bad:
        raise ServerFieldError(bad)


def check_server_values(spec: Spec, values: Mapping[str, object] | None) -> Item:
    """`server_values` may set declared server fields only (converted like any value)."""
    values = values or {}
    unknown = set(values) - spec.server_fields
    if unknown:
        raise ValueError(f"server_values may only set declared server fields: {sorted(unknown)}")
    return to_item(values)


def check_version(expected: Expected) -> int | tuple[int, ...] | None:
    """A whole version, several (an If-Match list), or None; boto3's Decimal("3") is fine."""
    if isinstance(expected, Decimal) and expected.is_finite() and expected == int(expected):
        return int(expected)
    if expected is None or (isinstance(expected, int) and not isinstance(expected, bool)):
        return expected
    if isinstance(expected, Collection) and not isinstance(expected, str | bytes) and expected:
        versions = tuple(check_version(v) for v in expected)
        if all(isinstance(v, int) for v in versions):
            return tuple(sorted(set(versions)))  # type: ignore[arg-type]
    raise ValueError("expected_version must be a whole number, a non-empty list of them, or None")


def _who(spec: Spec, ex: Expr, owner: str | None, shared: bool) -> str:
    """The caller may write: the owner, an editor (shared updates), anyone on the admin path."""
    if owner is None:
        return f"attribute_exists({ex.name(spec.key[0])})"
    if shared and spec.editors:
        value = ex.value(owner)
        return f"({ex.name(spec.owner)} = {value} OR contains({ex.name(spec.editors)}, {value}))"
    return ex.eq(spec.owner, owner)


def _version_condition(spec: Spec, ex: Expr, expected: int | tuple[int, ...] | None) -> list[str]:
    if expected is None:
        return []
    if isinstance(expected, int):
        return [ex.eq(spec.version, expected)]
    values = ", ".join(ex.value(v) for v in expected)
    return [f"{ex.name(spec.version)} IN ({values})"]


def plan_create(
    spec: Spec,
    item: Mapping[str, object],
    *,
    owner: str,
    server_values: Mapping[str, object] | None,
    token: str | None = None,
) -> Plan:
    """PutItem with attribute_not_exists(key): owner, version 1 and token set server-side."""
    check_owner(owner)
    if not isinstance(item, Mapping):
        raise ValueError("item must be a mapping of attribute names to values")
    check_fields(spec, item, allowed=spec.key)
    if spec.owner in spec.key and item.get(spec.owner, owner) != owner:
        raise ServerFieldError([spec.owner])  # an owner-partitioned key names its owner
    extra = check_server_values(spec, server_values)
    body = to_item(item)
    body = {**body, spec.owner: owner} if spec.owner in spec.key else body
    key_of(spec, {k: body[k] for k in spec.key if k in body})  # presence and emptiness
    token = token or new_token()
    stored: Item = {**body, **extra, spec.owner: owner, spec.version: 1}
    ex = Expr()
    condition = ex.not_exists(spec.key[0])
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "Item": {**stored, spec.token: token},
        "ConditionExpression": condition,
        **ex.params(condition),
        **_ON_FAILURE,
    }
    returned = spec.strip(as_stored(stored))
    return Plan("create", "put_item", params, owner, None, token, returned, produced=1)


def plan_update(
    spec: Spec,
    key: Mapping[str, Value],
    actions: Actions,
    *,
    owner: str | None,
    expected_version: Expected,
    server_values: Mapping[str, object] | None = None,
    token: str | None = None,
    when: ConditionBase | None = None,
    shared: bool = False,
    kind: str = "update",
    trusted: bool = False,
) -> Plan:
    """One UpdateItem: owner (and version, and `when`) in the condition; version + 1.

    `owner=None` is the admin path: the item must exist, whoever owns it.
    """
    if owner is not None:
        check_owner(owner)
    if not trusted:  # the guard's own actions (transfer, share) set managed attributes
        check_fields(spec, actions.names())
    extra = check_server_values(spec, server_values)
    expected = check_version(expected_version)
    if extra:
        actions = Actions(
            {**actions.set, **extra}, actions.add, actions.remove, actions.append, actions.delete
        )
    token = token or new_token()
    ex = Expr()
    pinned = isinstance(expected, int)
    guard_sets = [ex.increment(spec.version, exists=pinned), *history.push(ex, spec, token)]
    update = actions.render(ex, guard_sets)
    parts = [_who(spec, ex, owner, shared), *_version_condition(spec, ex, expected)]
    if when is not None:
        parts.append(ex.condition(when))
    if not pinned:  # only a pinned version makes a replay fail by itself
        parts.append(history.absent(ex, spec, token))
    condition = conjunction(parts)
    retry = None if pinned else conjunction([*parts, history.not_wrapped(ex, spec)])
    base: dict[str, object] = {
        "TableName": spec.table_name,
        "Key": key_of(spec, key),
        "UpdateExpression": update,
        "ReturnValues": "ALL_NEW",
        **_ON_FAILURE,
    }
    params = {**base, "ConditionExpression": condition, **ex.params(update, condition)}
    retry_params = None
    if retry is not None:
        retry_params = {**base, "ConditionExpression": retry, **ex.params(update, retry)}
    produced = expected + 1 if isinstance(expected, int) else None
    return Plan(
        kind,
        "update_item",
        params,
        owner,
        expected,
        token,
        produced=produced,
        retry_params=retry_params,
        has_when=when is not None,
        shared=shared,
    )


def plan_transfer(
    spec: Spec,
    key: Mapping[str, Value],
    *,
    owner: str,
    new_owner: str,
    expected_version: Expected,
    token: str | None = None,
) -> Plan:
    """One UpdateItem that moves ownership, conditional on the current owner."""
    check_owner(owner)
    check_owner(new_owner, "new_owner")
    if spec.owner in spec.key:
        raise ValueError("the owner is part of the key: move the item with a transaction instead")
    actions = Actions(set={spec.owner: new_owner})
    return plan_update(
        spec,
        key,
        actions,
        owner=owner,
        expected_version=expected_version,
        token=token,
        kind="transfer",
        trusted=True,
    )


def plan_delete(
    spec: Spec,
    key: Mapping[str, Value],
    *,
    owner: str | None,
    expected_version: Expected,
    when: ConditionBase | None = None,
) -> Plan:
    """One DeleteItem with the owner (and version, and `when`) in the condition."""
    if owner is not None:
        check_owner(owner)
    expected = check_version(expected_version)
    ex = Expr()
    parts = [_who(spec, ex, owner, False), *_version_condition(spec, ex, expected)]
    if when is not None:
        parts.append(ex.condition(when))
    condition = conjunction(parts)
    params: dict[str, object] = {
        "TableName": spec.table_name,
        "Key": key_of(spec, key),
        "ConditionExpression": condition,
        **ex.params(condition),
        **_ON_FAILURE,
    }
    return Plan("delete", "delete_item", params, owner, expected, None, has_when=when is not None)


def plan_check(
    spec: Spec,
    key: Mapping[str, Value],
    *,
    owner: str,
    expected_version: Expected,
    when: ConditionBase | None = None,
) -> Plan:
    """A transaction ConditionCheck: the item exists, is the owner's (and in that version)."""
    plan = plan_delete(spec, key, owner=owner, expected_version=expected_version, when=when)
    return Plan(
        "check",
        "condition_check",
        plan.params,
        owner,
        plan.expected_version,
        None,
        has_when=plan.has_when,
    )


def plan_get(spec: Spec, key: Mapping[str, Value], consistent: bool) -> dict[str, object]:
    """GetItem parameters (ownership is checked on the answer: reads cannot race a write)."""
    return {"TableName": spec.table_name, "Key": key_of(spec, key), "ConsistentRead": consistent}


def written(result: Item | None) -> Item:
    """The item a create, update or transfer returns (DynamoDB always sends one back)."""
    if result is None:
        raise RuntimeError("DynamoDB answered a write without the item it returns")
    return result


def produced_version(spec: Spec, plan: Plan, item: Mapping[str, Value] | None) -> int | None:
    """The version `plan` produced, known in advance or found through its history slot."""
    if plan.produced is not None:
        return plan.produced
    back = history.depth(spec, item, plan.token)
    current = version_of(item, spec)
    return None if back is None or current is None else current - back
