"""What the sync and async tables share: settings, and every decision about an answer.

OwnedTable (boto3) and AsyncOwnedTable (aioboto3) differ only in how they send a request and
wait before a retry; both call the methods here to plan a request and to interpret what came
back (a success, a failed condition, a retryable failure, a cursor DynamoDB refused).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NoReturn, Protocol

from dynaguard.guard import ops
from dynaguard.guard.cursor import decode_cursor, encode_cursor
from dynaguard.guard.errors import CONDITION_FAILED, InvalidCursor, error_code
from dynaguard.guard.retry import RetryPolicy, classify
from dynaguard.guard.types import Item

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


class GuardedTable:
    """Settings and answer interpretation shared by OwnedTable and AsyncOwnedTable."""

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
        # transact_write_items; values are typed by boto3's TypeSerializer on the way out.
        self._client = table.meta.client
        self._retry = retry or RetryPolicy()
        self._consistent = consistent_reads
        self._secret = cursor_secret

    @property
    def server_fields(self) -> frozenset[str]:
        """Every attribute clients may not set (key, owner, version, token, declared ones)."""
        return self.spec.managed

    @property
    def client(self) -> object:
        """The low-level DynamoDB client the table sends through."""
        return self._client

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of this table (also used by its transactions)."""
        return self._retry

    def _write_failed(
        self, plan: ops.Plan, exc: Exception, attempt: int, ambiguous: bool
    ) -> tuple[bool, Item | None, bool]:
        """(done, result, ambiguous) after a failed write; raises when there is no retry.

        A failed condition is final: either the ALL_OLD item shows that an earlier attempt
        applied (done), or it explains the failure (NotFound / Conflict, raised here).
        """
        if error_code(exc) == CONDITION_FAILED:
            ambiguous = ambiguous or botocore_retried(exc)
            done, error = ops.failure_outcome(self.spec, plan, old_item(exc), ambiguous)
            if error is not None:
                raise error from None
            return True, done, ambiguous
        transient = classify(exc)
        if transient is None or attempt + 1 >= self._retry.attempts:
            raise exc
        return False, None, ambiguous or transient.ambiguous

    def _read_failed(self, exc: Exception, attempt: int) -> None:
        """Re-raise a read failure unless it is transient and the budget allows a retry."""
        if classify(exc) is None or attempt + 1 >= self._retry.attempts:
            raise exc

    def _list_request(
        self, owner: str, index: str | None, limit: int, cursor: str | None
    ) -> tuple[dict[str, object], Item | None]:
        """The Query parameters and the decoded start key (None without a cursor)."""
        start = None
        if cursor is not None:
            start = decode_cursor(
                cursor,
                required=ops.cursor_fields(self.spec),
                owner_attr=self.spec.owner,
                owner=ops.check_owner(owner),
                secret=self._secret,
            )
        params = ops.plan_list(self.spec, owner, index, limit, start, consistent=self._consistent)
        return params, start

    @staticmethod
    def _list_failed(exc: Exception, start: Item | None) -> NoReturn:
        """A well-formed cursor DynamoDB still rejects (another index's key) is bad input."""
        if start is not None and error_code(exc) == "ValidationException":
            raise InvalidCursor() from None
        raise exc

    def _page(self, response: Mapping[str, object], owner: str) -> ops.Page:
        """The page of a Query answer, with the cursor of the next one."""
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor(last if isinstance(last, Mapping) else None, self._secret)
        return ops.Page(ops.page_items(self.spec, response, owner), next_cursor)
