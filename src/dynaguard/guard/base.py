"""What the sync and async tables share: the declaration, its checks, and every operation as a
flow (flows.py). OwnedTable and AsyncOwnedTable only drive the flows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from boto3.dynamodb.conditions import ConditionBase

from dynaguard.guard import flows, ops, outcome, query
from dynaguard.guard.actions import Actions
from dynaguard.guard.cursor import decode_cursor, encode_cursor
from dynaguard.guard.errors import Conflict, InvalidCursor, NotFound, error_code
from dynaguard.guard.flows import Flow, botocore_retried, old_item
from dynaguard.guard.retry import RetryPolicy
from dynaguard.guard.spec import (
    DEFAULT_HISTORY,
    MAX_HISTORY,
    Spec,
    check_owner,
    may_write,
    version_of,
)
from dynaguard.guard.types import Item, Value

DEFAULT_TOKEN_ATTR = "_guard_token"
__all__ = ["DEFAULT_TOKEN_ATTR", "GuardedTable", "TableLike", "botocore_retried", "old_item"]


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


def _names(value: Iterable[str] | str | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise TypeError(
            f"{what} must be a tuple or list of attribute names, not the string {value!r} "
            f"(a one-name tuple needs a comma: ({value!r},))"
        )
    names = tuple(value)
    if any(not isinstance(n, str) or not n for n in names):
        raise ValueError(f"{what} must hold non-empty attribute names")
    return names


def make_spec(
    table_name: str,
    *,
    key: Iterable[str],
    owner: str,
    version: str,
    token_attr: str,
    server_fields: Iterable[str],
    history: int = DEFAULT_HISTORY,
    readers: str | None = None,
    editors: str | None = None,
) -> Spec:
    """Validate the attribute names once, at construction."""
    if isinstance(key, str):
        raise TypeError(f"key must be a tuple of attribute names, e.g. ({key!r},)")
    keys = tuple(key)
    if not 1 <= len(keys) <= 2:
        raise ValueError("key must be a tuple of one or two attribute names, e.g. ('item_id',)")
    fields = _names(server_fields, "server_fields")
    if isinstance(history, bool) or not isinstance(history, int):
        raise TypeError("history must be an int")
    if not 1 <= history <= MAX_HISTORY:
        raise ValueError(f"history must be from 1 to {MAX_HISTORY} writes")
    spec = Spec(
        table_name, keys, owner, version, token_attr, frozenset(fields), history, readers, editors
    )
    # The owner may be part of the key (owner-partitioned tables); nothing else may repeat.
    names = [*keys, version, *spec.slots, *([] if owner in keys else [owner]), *spec.sharing]
    if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
        raise ValueError("key, owner, version, token and sharing attributes must be distinct names")
    return spec


def _client_of(table: object, *, want_async: bool) -> object:
    """The Table resource's low-level client; a clear TypeError for anything else."""
    kind = "AsyncOwnedTable" if want_async else "OwnedTable"
    if hasattr(table, "__await__"):
        close = getattr(table, "close", None)
        if callable(close):
            close()  # no "never awaited" warning on top of this error
        raise TypeError(
            f"{kind} got an un-awaited coroutine: use `table = await resource.Table(name)`"
        )
    meta = getattr(table, "meta", None)
    client = getattr(meta, "client", None)
    if client is None or not isinstance(getattr(table, "name", None), str):
        if hasattr(meta, "service_model"):
            raise TypeError(
                f"{kind} needs a Table resource (resource('dynamodb').Table(name)), not a client"
            )
        raise TypeError(f"{kind} needs a boto3/aioboto3 Table resource, not {type(table).__name__}")
    is_async = any(c.__name__ == "AioBaseClient" for c in type(client).__mro__)
    if is_async != want_async:
        right = "AsyncOwnedTable (aioboto3)" if is_async else "OwnedTable (boto3)"
        raise TypeError(f"{kind} got {'an aioboto3' if is_async else 'a boto3'} Table: use {right}")
    return client


def _caller(owner: str | None, admin: bool) -> str | None:
    """None only on the admin path: an unauthenticated None never becomes "anyone"."""
    return None if admin else check_owner(owner)  # type: ignore[arg-type]


class GuardedTable:
    """The declaration and every operation's flow, shared by OwnedTable and AsyncOwnedTable."""

    _async = False

    def __init__(
        self,
        table: TableLike,
        *,
        key: tuple[str, ...],
        owner: str,
        version: str = "version",
        server_fields: Iterable[str] = (),
        token_attr: str = DEFAULT_TOKEN_ATTR,
        history: int = DEFAULT_HISTORY,
        retry: RetryPolicy | None = None,
        consistent_reads: bool = True,
        cursor_secret: bytes | None = None,
        owner_index: str | None = None,
        indexes: Mapping[str, tuple[str, str | None]] | None = None,
        readers: str | None = None,
        editors: str | None = None,
    ) -> None:
        # Checked first: the low-level client (thread-safe, unlike resources; the only one
        # with transact_write_items); values are typed by boto3's TypeSerializer on the way.
        self._client = _client_of(table, want_async=self._async)
        self.spec = make_spec(
            table.name,
            key=key,
            owner=owner,
            version=version,
            token_attr=token_attr,
            server_fields=server_fields,
            history=history,
            readers=readers,
            editors=editors,
        )
        self._retry = retry or RetryPolicy()
        self._consistent = consistent_reads
        self._secret = cursor_secret
        self.owner_index = owner_index
        self.indexes: dict[str, tuple[str, str | None]] = dict(indexes or {})
        if owner_index is not None:
            self.indexes.setdefault(owner_index, (owner, None))

    @property
    def server_fields(self) -> frozenset[str]:
        """Every attribute clients may not set (key, owner, version, history, declared ones)."""
        return self.spec.managed

    @property
    def client(self) -> object:
        """The low-level DynamoDB client the table sends through."""
        return self._client

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of this table (also used by its transactions)."""
        return self._retry

    # -- flows ---------------------------------------------------------------------------

    def _get(self, key: Mapping[str, Value], user: str | None, admin: bool = False) -> Flow[Item]:
        user = _caller(user, admin)
        params = ops.plan_get(self.spec, key, self._consistent)
        response = yield from flows.read(self._retry, "get_item", params)
        return outcome.read_outcome(self.spec, response, user)

    def _create(
        self, item: Mapping[str, object], owner: str, server_values: Mapping[str, object] | None
    ) -> Flow[Item]:
        plan = ops.plan_create(self.spec, item, owner=owner, server_values=server_values)
        return ops.written((yield from flows.write(self.spec, self._retry, plan)))

    def _update(
        self,
        key: Mapping[str, Value],
        actions: Actions,
        *,
        owner: str | None,
        expected_version: ops.Expected,
        server_values: Mapping[str, object] | None = None,
        when: ConditionBase | None = None,
        shared: bool = True,
        admin: bool = False,
        trusted: bool = False,
    ) -> Flow[Item]:
        owner = _caller(owner, admin)
        if actions.empty and not server_values:
            return (yield from self._unchanged(key, owner, expected_version, when))
        plan = ops.plan_update(
            self.spec,
            key,
            actions,
            owner=owner,
            expected_version=expected_version,
            server_values=server_values,
            when=when,
            shared=shared and self.spec.editors is not None,
            trusted=trusted,
        )
        return ops.written((yield from flows.write(self.spec, self._retry, plan)))

    def _share(
        self,
        key: Mapping[str, Value],
        owner: str,
        readers: Iterable[str],
        editors: Iterable[str],
        revoke: bool,
    ) -> Flow[Item]:
        """Only the owner may share (shared=False); the reader/editor lists it writes are the
        guard's own attributes (trusted=True)."""
        from dynaguard.guard.sharing import share_actions

        actions = share_actions(self.spec, readers, editors, revoke)
        return self._update(
            key, actions, owner=owner, expected_version=None, shared=False, trusted=True
        )

    def _unchanged(
        self,
        key: Mapping[str, Value],
        owner: str | None,
        expected_version: ops.Expected,
        when: ConditionBase | None,
    ) -> Flow[Item]:
        """An update with nothing to change writes nothing (no version bump): it reads the
        item and checks what the write would have checked."""
        if when is not None:
            raise ValueError("an update with when= needs at least one change")
        expected = ops.check_version(expected_version)
        params = ops.plan_get(self.spec, key, True)
        response = yield from flows.read(self._retry, "get_item", params)
        item = outcome.read_outcome(self.spec, response, None)
        if not may_write(self.spec, item, owner, self.spec.editors is not None):
            raise NotFound()
        current = version_of(item, self.spec)
        if expected is not None and current not in (
            expected if isinstance(expected, tuple) else (expected,)
        ):
            raise Conflict(current, item)
        return item

    def _delete(
        self,
        key: Mapping[str, Value],
        owner: str | None,
        expected_version: ops.Expected,
        when: ConditionBase | None = None,
        admin: bool = False,
    ) -> Flow[None]:
        owner = _caller(owner, admin)
        plan = ops.plan_delete(
            self.spec, key, owner=owner, expected_version=expected_version, when=when
        )
        yield from flows.write(self.spec, self._retry, plan)

    def _transfer(
        self, key: Mapping[str, Value], owner: str, new_owner: str, expected: ops.Expected
    ) -> Flow[Item]:
        plan = ops.plan_transfer(
            self.spec, key, owner=owner, new_owner=new_owner, expected_version=expected
        )
        return ops.written((yield from flows.write(self.spec, self._retry, plan)))

    def _query(
        self,
        *,
        owner: str,
        index: str | None,
        limit: int,
        cursor: str | None,
        key: ConditionBase | None = None,
        filter: ConditionBase | None = None,
        fields: Iterable[str] | None = None,
        newest_first: bool = False,
    ) -> Flow[query.Page]:
        args: dict[str, Any] = {
            "owner": owner,
            "index": index,
            "indexes": self.indexes,
            "owner_index": self.owner_index,
            "limit": limit,
            "consistent": self._consistent,
            "key": key,
            "filter": filter,
            "fields": fields,
            "newest_first": newest_first,
        }
        planned = query.plan_query(self.spec, **args)  # validates before the cursor
        start = None
        if cursor is not None:
            start = decode_cursor(
                cursor,
                required=planned.required,
                owner_attr=self.spec.owner,
                owner=owner,
                secret=self._secret,
            )
            planned = query.plan_query(self.spec, start=start, **args)
        try:
            response = yield from flows.read(self._retry, "query", planned.params)
        except Exception as exc:
            # A well-formed cursor DynamoDB still rejects (another index's key) is bad input.
            if start is not None and error_code(exc) == "ValidationException":
                raise InvalidCursor() from None
            raise
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor(
            last if isinstance(last, Mapping) else None, self._secret, owner
        )
        return query.Page(query.page_items(self.spec, response, owner), next_cursor)
