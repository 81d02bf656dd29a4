"""OwnedTable: integrity-safe DynamoDB access over boto3 (sync), one request per operation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from dynaguard.guard import ops
from dynaguard.guard.cursor import decode_cursor, encode_cursor
from dynaguard.guard.errors import CONDITION_FAILED, InvalidCursor, error_code
from dynaguard.guard.retry import RetryPolicy, classify
from dynaguard.guard.types import Item, Value

if TYPE_CHECKING:
    from dynaguard.guard.transaction import Transaction

DEFAULT_TOKEN_ATTR = "_guard_token"


class TableMeta(Protocol):
    """The `meta` of a boto3/aioboto3 Table resource: we only need its low-level client."""

    @property
    def client(self) -> object: ...


class TableLike(Protocol):
    """A boto3 (or aioboto3) `Table` resource."""

    @property
    def name(self) -> str: ...

    @property
    def meta(self) -> TableMeta: ...


def make_spec(
    table_name: str,
    *,
    key: Iterable[str],
    owner: str,
    version: str,
    token_attr: str,
    server_fields: Iterable[str],
) -> ops.Spec:
    """Validate the attribute names once, at construction."""
    keys = tuple(key)
    if isinstance(key, str) or not 1 <= len(keys) <= 2:
        raise ValueError("key must be a tuple of one or two attribute names, e.g. ('item_id',)")
    # The owner may be part of the key (owner-partitioned tables); nothing else may repeat.
    names = [*keys, version, token_attr, *([] if owner in keys else [owner])]
    if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
        raise ValueError("key, owner, version and token attributes must be distinct names")
    return ops.Spec(table_name, keys, owner, version, token_attr, frozenset(server_fields))


def old_item(exc: BaseException) -> object:
    """The ALL_OLD item of a ConditionalCheckFailedException (absent when the item is missing)."""
    response = getattr(exc, "response", None)
    return response.get("Item") if isinstance(response, dict) else None


def botocore_retried(exc: BaseException) -> bool:
    """botocore's own retry layer resent the request: an earlier attempt may have applied."""
    response = getattr(exc, "response", None)
    meta = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    return bool(isinstance(meta, dict) and meta.get("RetryAttempts"))


class OwnedTable:
    """A DynamoDB table whose items belong to owners, guarded in each write's condition.

    Safe to share between threads: it keeps only the Table's low-level client (boto3 clients
    are thread-safe, resources are not) and immutable settings.
    """

    def __init__(
        self,
        table: TableLike,
        *,
        key: tuple[str, ...],
        owner: str,
        version: str = "version",
        server_fields: Iterable[str] = (),
        token_attr: str = DEFAULT_TOKEN_ATTR,
        retry: RetryPolicy | None = None,
        consistent_reads: bool = True,
        cursor_secret: bytes | None = None,
    ) -> None:
        self.spec = make_spec(
            table.name,
            key=key,
            owner=owner,
            version=version,
            token_attr=token_attr,
            server_fields=server_fields,
        )
        # The low-level client: thread-safe (resources are not), and the only one with
        # transact_write_items; values are typed here with boto3's TypeSerializer.
        self._client = table.meta.client
        self._retry = retry or RetryPolicy()
        self._consistent = consistent_reads
        self._secret = cursor_secret

    @property
    def server_fields(self) -> frozenset[str]:
        """Every attribute clients may not set (key, owner, version, token, declared ones)."""
        return self.spec.managed

    def send(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        """Call one low-level client operation (no retry, no interpretation)."""
        method: Callable[..., dict[str, object]] = getattr(self._client, op)
        return method(**params)

    def _write(self, plan: ops.Plan) -> Item | None:
        ambiguous = False
        for attempt in range(self._retry.attempts):
            try:
                response = self.send(plan.op, plan.params)
            except Exception as exc:
                if error_code(exc) == CONDITION_FAILED:
                    ambiguous = ambiguous or botocore_retried(exc)
                    done, error = ops.failure_outcome(self.spec, plan, old_item(exc), ambiguous)
                    if error is not None:
                        raise error from None
                    return done
                transient = classify(exc)
                if transient is None or attempt + 1 >= self._retry.attempts:
                    raise
                ambiguous = ambiguous or transient.ambiguous
                time.sleep(self._retry.delay(attempt))
                continue
            return ops.success_outcome(self.spec, plan, response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _read(self, op: str, params: Mapping[str, object]) -> dict[str, object]:
        for attempt in range(self._retry.attempts):
            try:
                return self.send(op, params)
            except Exception as exc:
                if classify(exc) is None or attempt + 1 >= self._retry.attempts:
                    raise
                time.sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def get(self, key: Mapping[str, Value], *, owner: str) -> Item:
        """The owner's item; NotFound when it is missing or someone else's (no existence oracle)."""
        response = self._read("get_item", ops.plan_get(self.spec, key, self._consistent))
        return ops.read_outcome(self.spec, response, owner)

    def create(
        self,
        item: Mapping[str, Value],
        *,
        owner: str,
        server_values: Mapping[str, Value] | None = None,
    ) -> Item:
        """Put a new item (create-only); owner and version 1 are set here; Conflict if it exists."""
        result = self._write(
            ops.plan_create(self.spec, item, owner=owner, server_values=server_values)
        )
        assert result is not None  # create always returns the item it wrote
        return result

    def update(
        self,
        key: Mapping[str, Value],
        changes: Mapping[str, Value],
        *,
        owner: str,
        expected_version: int | None = None,
        server_values: Mapping[str, Value] | None = None,
    ) -> Item:
        """One UpdateItem conditional on the owner (and version); returns the updated item."""
        plan = ops.plan_update(
            self.spec,
            key,
            changes,
            owner=owner,
            expected_version=expected_version,
            server_values=server_values,
        )
        result = self._write(plan)
        assert result is not None  # update returns ALL_NEW (or the recognised ALL_OLD)
        return result

    def delete(
        self, key: Mapping[str, Value], *, owner: str, expected_version: int | None = None
    ) -> None:
        """One DeleteItem conditional on the owner (and version)."""
        self._write(ops.plan_delete(self.spec, key, owner=owner, expected_version=expected_version))

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: int | None = None,
    ) -> Item:
        """Give the item to `new_owner`, conditional on `owner` still holding it."""
        plan = ops.plan_transfer(
            self.spec, key, owner=owner, new_owner=new_owner, expected_version=expected_version
        )
        result = self._write(plan)
        assert result is not None
        return result

    def list(
        self, *, owner: str, index: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> ops.Page:
        """One page of the owner's items: a Query on the owner index (or key), never a Scan."""
        start = None
        if cursor is not None:
            start = decode_cursor(
                cursor,
                required=ops.cursor_fields(self.spec),
                owner_attr=self.spec.owner,
                owner=ops.check_owner(owner),
                secret=self._secret,
            )
        params = ops.plan_list(self.spec, owner, index, limit, start)
        try:
            response = self._read("query", params)
        except Exception as exc:
            # A well-formed cursor DynamoDB still rejects (another index's key): bad input.
            if start is not None and error_code(exc) == "ValidationException":
                raise InvalidCursor() from None
            raise
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor(last if isinstance(last, Mapping) else None, self._secret)
        return ops.Page(ops.page_items(self.spec, response, owner), next_cursor)

    def transaction(self, *, token: str | None = None) -> Transaction:
        """A TransactWriteItems builder; commits on leaving the `with` block without error."""
        from dynaguard.guard.transaction import Transaction

        return Transaction(self, token=token)

    @property
    def client(self) -> object:
        """The low-level DynamoDB client the table sends through."""
        return self._client

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of this table (also used by its transactions)."""
        return self._retry
