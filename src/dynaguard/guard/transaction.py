"""Transactions: TransactWriteItems through the low-level client, every item guarded.

Each item carries the same owner/version conditions as the single-item methods, and every
write records the transaction's token in its item's history: the ClientRequestToken makes
retries idempotent on DynamoDB (for 10 minutes), and the token in the items lets a retry
recognise a commit whose answer was lost anywhere (moto, for one, ignores the request token).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard import history, ops
from dynaguard.guard.actions import make_actions
from dynaguard.guard.errors import (
    TRANSACTION_CANCELED,
    CancellationReason,
    DuplicateItem,
    NotFound,
    OutcomeUnknown,
    TransactionCancelled,
    TransactionTooLarge,
    error_code,
)
from dynaguard.guard.flows import Call, Flow, Sleep, read
from dynaguard.guard.outcome import failure_outcome
from dynaguard.guard.retry import RetryPolicy, Transient, classify
from dynaguard.guard.spec import Plan, Spec, deserialize_item
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
    def spec(self) -> Spec: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class TxResult:
    """One committed item of a transaction, in the caller's order.

    `version` is the item's new version (None for deletes, and for an unversioned update
    whose token the read-back no longer finds); `item` the created item (creates only).
    """

    label: str
    kind: str
    key: Item
    item: Item | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One labelled item of a transaction."""

    label: str
    spec: Spec
    plan: Plan
    key: Item


class TransactionBuilder:
    """Collects guarded items; shared by the sync and the async transaction."""

    _max_items = MAX_ITEMS

    def __init__(self, table: HasSpec, *, token: str | None = None) -> None:
        if token is not None and not (isinstance(token, str) and 1 <= len(token) <= 36):
            raise ValueError("a transaction token is 1 to 36 characters (ClientRequestToken)")
        self.token = token or ops.new_token()
        self.request_token = self.token
        self._default = table
        self._entries: list[Entry] = []
        self._seen: set[str] = set()
        self._committed = False
        self.results: tuple[TxResult, ...] = ()

    def __len__(self) -> int:
        return len(self._entries)

    def _add(self, label: str | None, spec: Spec, plan: Plan, key: Item) -> None:
        if self._committed:
            raise RuntimeError("this transaction was already committed")
        if len(self._entries) >= self._max_items:
            raise TransactionTooLarge(f"a transaction holds at most {MAX_ITEMS} items")
        # DynamoDB rejects two actions on one item in a transaction: say so before sending.
        ident = json.dumps([spec.table_name, {k: str(v) for k, v in key.items()}], sort_keys=True)
        if ident in self._seen:
            raise DuplicateItem(
                f"item {key!r} appears twice in one transaction: DynamoDB allows one action "
                "per item (merge the changes into one update)"
            )
        name = label or f"{plan.kind}#{len(self._entries)}"
        if any(name == e.label for e in self._entries):
            raise ValueError(f"duplicate transaction label {name!r}")
        self._seen.add(ident)
        self._entries.append(Entry(name, spec, plan, key))

    def _spec(self, table: HasSpec | None) -> Spec:
        return (table or self._default).spec

    def create(
        self,
        item: Mapping[str, object],
        *,
        owner: str,
        server_values: Mapping[str, object] | None = None,
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
        changes: Mapping[str, object] | None = None,
        *,
        owner: str,
        expected_version: ops.Expected = None,
        server_values: Mapping[str, object] | None = None,
        add: Mapping[str, object] | None = None,
        remove: tuple[str, ...] | list[str] = (),
        append: Mapping[str, object] | None = None,
        delete: Mapping[str, object] | None = None,
        when: ConditionBase | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add an Update conditional on the owner (and version, and `when`); version + 1."""
        spec = self._spec(table)
        actions = make_actions(changes, add=add, remove=remove, append=append, delete=delete)
        if actions.empty and not server_values:
            raise ValueError("a transaction update needs at least one change (use check())")
        plan = ops.plan_update(
            spec,
            key,
            actions,
            owner=owner,
            expected_version=expected_version,
            server_values=server_values,
            token=self.token,
            when=when,
            shared=spec.editors is not None,
        )
        self._add(label, spec, plan, ops.key_of(spec, key))

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: ops.Expected = None,
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
        self._add(label, spec, plan, ops.key_of(spec, key))

    def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add a Delete conditional on the owner (and version, and `when`)."""
        spec = self._spec(table)
        plan = ops.plan_delete(spec, key, owner=owner, expected_version=expected_version, when=when)
        self._add(label, spec, plan, ops.key_of(spec, key))

    def check(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
        label: str | None = None,
        table: HasSpec | None = None,
    ) -> None:
        """Add a ConditionCheck: the item exists, is the owner's (and in that version)."""
        spec = self._spec(table)
        plan = ops.plan_check(spec, key, owner=owner, expected_version=expected_version, when=when)
        self._add(label, spec, plan, ops.key_of(spec, key))

    def request(self) -> dict[str, object]:
        """The TransactWriteItems parameters, items in the caller's order."""
        items = []
        for entry in self._entries:
            params = {k: v for k, v in entry.plan.params.items() if k != "ReturnValues"}
            items.append({_WRAPPER[entry.plan.kind]: params})
        return {"TransactItems": items, "ClientRequestToken": self.request_token}

    def begin_commit(self) -> bool:
        """Refuse a second commit; True when there is anything to send."""
        if self._committed:
            raise RuntimeError("this transaction was already committed")
        return bool(self._entries)

    def cancelled(
        self, exc: BaseException, ambiguous: bool, *, final: bool = False
    ) -> Transient | None:
        """Interpret a cancelled commit: None when it is recognised as committed, Transient to
        retry a throttled or conflicting one (unless `final`); else TransactionCancelled, or
        OutcomeUnknown when an earlier attempt may have committed and nothing proves it."""
        response = getattr(exc, "response", None)
        raw = response.get("CancellationReasons") if isinstance(response, dict) else None
        raw = raw if isinstance(raw, list) else []
        reasons: list[CancellationReason] = []
        proven_not = False
        for i, entry in enumerate(self._entries):
            reason = raw[i] if i < len(raw) and isinstance(raw[i], dict) else {}
            code = str(reason.get("Code") or "None")
            old = reason.get("Item")
            error = None
            if code == "ConditionalCheckFailed":
                # Judged as if unambiguous: an item that proves a commit wins below.
                _, error = failure_outcome(entry.spec, entry.plan, old, False)
                if error is None:
                    return None  # our token in an item: the (atomic) transaction committed
                seen = deserialize_item(old) if isinstance(old, Mapping) else None
                proven_not = proven_not or history.landed(entry.spec, entry.plan, seen) is False
            # Never hand back another owner's item: the reason would leak it.
            visible = isinstance(old, dict) and not isinstance(error, NotFound)
            item = entry.spec.strip(deserialize_item(old)) if visible and old else None
            reasons.append(CancellationReason(label=entry.label, code=code, error=error, item=item))
        failed = [r for r in reasons if r.failed]
        if ambiguous and not proven_not and any(r.code == "ConditionalCheckFailed" for r in failed):
            raise OutcomeUnknown("transaction") from None
        if failed and not final and all(r.code in _RETRYABLE for r in failed):
            return Transient(ambiguous=False)
        raise TransactionCancelled(reasons) from None

    def commit_flow(self, policy: RetryPolicy) -> Flow[tuple[TxResult, ...]]:
        """Send the transaction (retrying transient failures with the same token)."""
        ambiguous = False
        for attempt in range(policy.attempts if self.begin_commit() else 0):
            try:
                yield Call("transact_write_items", self.request())
                break
            except Exception as exc:
                final = attempt + 1 >= policy.attempts
                if error_code(exc) == TRANSACTION_CANCELED:
                    transient = self.cancelled(exc, ambiguous, final=final)
                    if transient is None:
                        break
                else:
                    transient = classify(exc)
                if transient is None or final:
                    raise
                if not transient.ambiguous or error_code(exc) is not None:
                    yield Sleep(policy.delay(attempt))
                ambiguous = ambiguous or transient.ambiguous
        self._committed = True
        self.results = yield from self._results(policy)
        return self.results

    def _results(self, policy: RetryPolicy) -> Flow[tuple[TxResult, ...]]:
        """Results with new versions; unversioned updates are read back (one TransactGet)."""
        unknown = [
            e
            for e in self._entries
            if e.plan.kind in ("update", "transfer") and e.plan.produced is None
        ]
        found: dict[int, Item] = {}
        if unknown:
            gets = [{"Get": {"TableName": e.spec.table_name, "Key": e.key}} for e in unknown]
            try:
                response = yield from read(policy, "transact_get_items", {"TransactItems": gets})
            except Exception:  # committed all the same: only the versions stay unknown
                response = {}
            for entry, got in zip(unknown, response.get("Responses", []), strict=False):
                wire = got.get("Item") if isinstance(got, dict) else None
                if isinstance(wire, Mapping):
                    found[id(entry)] = dict(wire)
        out = []
        for e in self._entries:
            version: int | None = None
            if e.plan.kind == "check":
                version = (
                    e.plan.expected_version if isinstance(e.plan.expected_version, int) else None
                )
            elif e.plan.kind != "delete":
                version = ops.produced_version(e.spec, e.plan, found.get(id(e)))
            out.append(
                TxResult(
                    label=e.label, kind=e.plan.kind, key=e.key, item=e.plan.item, version=version
                )
            )
        return tuple(out)


class SyncCommit:
    """`with builder:` commits on leaving the block without error (sends nothing otherwise)."""

    def commit(self) -> tuple[TxResult, ...]:
        """Send what was added."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()


class AsyncCommit:
    """`async with builder:` commits on leaving the block without error."""

    async def commit(self) -> tuple[TxResult, ...]:
        """Send what was added."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.commit()


class Transaction(SyncCommit, TransactionBuilder):
    """`with table.transaction() as tx:` — commits once, on leaving the block without error."""

    def __init__(self, table: OwnedTable, *, token: str | None = None) -> None:
        super().__init__(table, token=token)
        self._table = table

    def commit(self) -> tuple[TxResult, ...]:
        """Send the transaction; returns the results (also kept in `results`)."""
        return self._table.run(self.commit_flow(self._table.retry_policy))
