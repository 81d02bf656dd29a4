"""Transactions: TransactWriteItems through the low-level client, every item guarded.

Each item carries the same owner/version conditions as the single-item methods, and every
write carries the transaction's token: the ClientRequestToken makes retries idempotent on
DynamoDB, and the token in the items lets a retry recognise a commit whose answer was lost
(moto, for one, does not honour ClientRequestToken).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from dynaguard.guard import ops
from dynaguard.guard.errors import (
    TRANSACTION_CANCELED,
    CancellationReason,
    NotFound,
    TransactionCancelled,
    TransactionTooLarge,
    error_code,
)
from dynaguard.guard.retry import RetryPolicy, Transient, classify
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.table import OwnedTable

# TransactWriteItems accepts up to 100 actions (raised from 25 in September 2022).
MAX_ITEMS = 100
_WRAPPER = {
    "create": "Put",
    "update": "Update",
    "transfer": "Update",
    "delete": "Delete",
    "check": "ConditionCheck",
}
# Cancellation reasons after which nothing was applied and the same request may be resent:
# throttling, and TransactionConflict (another transaction or write held one of the items),
# which AWS documents as retryable.
_RETRYABLE = frozenset(
    {
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "RequestLimitExceeded",
        "TransactionConflict",
    }
)


class HasSpec(Protocol):
    """A sync or async OwnedTable: transactions only need its Spec."""

    @property
    def spec(self) -> ops.Spec: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class TxResult:
    """One committed item of a transaction, in the caller's order."""

    label: str
    kind: str
    key: Item
    item: Item | None = None  # create: the item as written


class TransactionBuilder:
    """Collects guarded items; shared by the sync and the async transaction."""

    def __init__(self, table: HasSpec, *, token: str | None = None) -> None:
        if token is not None and not (isinstance(token, str) and 1 <= len(token) <= 36):
            raise ValueError("a transaction token is 1 to 36 characters (ClientRequestToken)")
        self.token = token or ops.new_token()
        self._default = table
        self._entries: list[tuple[str, ops.Spec, ops.Plan, Item]] = []
        self._seen: set[str] = set()
        self._committed = False
        self.results: tuple[TxResult, ...] = ()

    def __len__(self) -> int:
        return len(self._entries)

    def _add(self, label: str | None, spec: ops.Spec, plan: ops.Plan, key: Item) -> None:
        if self._committed:
            raise RuntimeError("this transaction was already committed")
        if len(self._entries) >= MAX_ITEMS:
            raise TransactionTooLarge(f"a transaction holds at most {MAX_ITEMS} items")
        # DynamoDB rejects two actions on one item in a transaction: say so before sending.
        ident = json.dumps([spec.table_name, {k: str(v) for k, v in key.items()}], sort_keys=True)
        if ident in self._seen:
            raise TransactionTooLarge(f"item {key!r} appears twice in one transaction")
        name = label or f"{plan.kind}#{len(self._entries)}"
        if any(name == existing for existing, *_ in self._entries):
            raise ValueError(f"duplicate transaction label {name!r}")
        self._seen.add(ident)
        self._entries.append((name, spec, plan, key))

    def _spec(self, table: HasSpec | None) -> ops.Spec:
        return (table or self._default).spec

    def create(
        self,
        item: Mapping[str, Value],
        *,
        owner: str,
        server_values: Mapping[str, Value] | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add a create-only Put (owner and version 1 set here)."""
        spec = self._spec(table)
        plan = ops.plan_create(
            spec, item, owner=owner, server_values=server_values, token=self.token
        )
        # The key as written: on an owner-partitioned table the owner comes from `owner`.
        self._add(label, spec, plan, {k: ops.written(plan.item)[k] for k in spec.key})

    def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | Decimal | None = None,
        server_values: Mapping[str, Value] | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add an Update conditional on the owner (and version); version + 1."""
        spec = self._spec(table)
        plan = ops.plan_update(
            spec,
            key,
            changes,
            owner=owner,
            expected_version=expected_version,
            server_values=server_values,
            token=self.token,
        )
        self._add(label, spec, plan, dict(key))

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: int | Decimal | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add an ownership transfer conditional on the current owner."""
        spec = self._spec(table)
        plan = ops.plan_transfer(
            spec,
            key,
            owner=owner,
            new_owner=new_owner,
            expected_version=expected_version,
            token=self.token,
        )
        self._add(label, spec, plan, dict(key))

    def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | Decimal | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add a Delete conditional on the owner (and version)."""
        spec = self._spec(table)
        self._add(
            label,
            spec,
            ops.plan_delete(spec, key, owner=owner, expected_version=expected_version),
            dict(key),
        )

    def check(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | Decimal | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add a ConditionCheck: the item exists, is the owner's (and in that version)."""
        spec = self._spec(table)
        self._add(
            label,
            spec,
            ops.plan_check(spec, key, owner=owner, expected_version=expected_version),
            dict(key),
        )

    def request(self) -> dict[str, object]:
        """The TransactWriteItems parameters, items in the caller's order."""
        items = []
        for _label, _spec, plan, _key in self._entries:
            params = {k: v for k, v in plan.params.items() if k != "ReturnValues"}
            items.append({_WRAPPER[plan.kind]: params})
        return {"TransactItems": items, "ClientRequestToken": self.token}

    def begin_commit(self) -> bool:
        """Refuse a second commit; True when there is anything to send."""
        if self._committed:
            raise RuntimeError("this transaction was already committed")
        return bool(self._entries)

    def finish(self) -> None:
        """Record the results of a committed transaction."""
        self._committed = True
        self.results = tuple(
            TxResult(label=label, kind=plan.kind, key=key, item=plan.item)
            for label, _spec, plan, key in self._entries
        )

    def cancelled(
        self, exc: BaseException, ambiguous: bool, *, final: bool = False
    ) -> Transient | None:
        """Interpret a cancelled commit: None when it is recognised as committed, Transient to
        retry a throttled or conflicting one (unless `final`); else TransactionCancelled."""
        response = getattr(exc, "response", None)
        raw = response.get("CancellationReasons") if isinstance(response, dict) else None
        raw = raw if isinstance(raw, list) else []
        reasons: list[CancellationReason] = []
        recognised = 0
        for i, (label, spec, plan, _key) in enumerate(self._entries):
            entry = raw[i] if i < len(raw) and isinstance(raw[i], dict) else {}
            code = str(entry.get("Code") or "None")
            error = None
            if code == "ConditionalCheckFailed":
                done, error = ops.failure_outcome(spec, plan, entry.get("Item"), ambiguous)
                if error is None:
                    # Our token in any item proves the (atomic) transaction committed.
                    if done is not None:
                        return None
                    recognised += 1
            old = entry.get("Item")
            # Never hand back another owner's item: the reason would leak it.
            visible = isinstance(old, dict) and not isinstance(error, NotFound)
            item = spec.strip(ops.deserialize_item(old)) if visible and old else None
            reasons.append(CancellationReason(label=label, code=code, error=error, item=item))
        failed = [r for r in reasons if r.failed]
        if failed and recognised == len(failed):
            return None  # only deletes of items already gone, after an ambiguous attempt
        if failed and not final and all(r.code in _RETRYABLE for r in failed):
            return Transient(ambiguous=False)
        raise TransactionCancelled(reasons) from None


def retry_step(
    builder: TransactionBuilder, exc: Exception, attempt: int, policy: RetryPolicy, ambiguous: bool
) -> tuple[bool, bool]:
    """(done, ambiguous) after a failed attempt; re-raises when there is nothing to retry."""
    if error_code(exc) == TRANSACTION_CANCELED:
        # On the last attempt a retryable cancellation still surfaces with labelled reasons.
        final = attempt + 1 >= policy.attempts
        transient = builder.cancelled(exc, ambiguous, final=final)
        if transient is None:
            return True, ambiguous
    else:
        transient = classify(exc)
    if transient is None or attempt + 1 >= policy.attempts:
        raise exc
    return False, ambiguous or transient.ambiguous


class Transaction(TransactionBuilder):
    """`with table.transaction() as tx:` — commits once, on leaving the block without error."""

    def __init__(self, table: OwnedTable, *, token: str | None = None) -> None:
        super().__init__(table, token=token)
        self._table = table

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()

    def commit(self) -> tuple[TxResult, ...]:
        """Send the transaction (retrying transient failures with the same token)."""
        policy, ambiguous = self._table.retry_policy, False
        for attempt in range(policy.attempts if self.begin_commit() else 0):
            try:
                self._table.send("transact_write_items", self.request())
                break
            except Exception as exc:
                done, ambiguous = retry_step(self, exc, attempt, policy, ambiguous)
                if done:
                    break
                time.sleep(policy.delay(attempt))
        self.finish()
        return self.results
