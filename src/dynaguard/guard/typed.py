"""Typed items: a guarded table bound to a Pydantic model, converted both ways.

`ModelTable(owned, Doc)` returns `Doc` instances from every read and write (create and get
alike), so a typed service needs no casts. On the way in, values are converted for DynamoDB
(convert.py: datetime/date as ISO 8601, UUID as str, Enum as its value, float as Decimal) and
a declared `ttl` attribute is stored as epoch seconds (what DynamoDB's TTL reads); on the
way out the model parses them back (ISO strings to datetime, epoch seconds to datetime...).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from boto3.dynamodb.conditions import ConditionBase
from pydantic import BaseModel

from dynaguard.guard import ops
from dynaguard.guard.aio import AsyncOwnedTable
from dynaguard.guard.convert import epoch_seconds, to_item
from dynaguard.guard.query import Page
from dynaguard.guard.table import OwnedTable
from dynaguard.guard.types import Item, Value

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class ModelPage(Generic[M]):
    """One page of typed items and the opaque cursor of the next one (None at the end)."""

    items: list[M]
    cursor: str | None


class _Convert(Generic[M]):
    """Conversions shared by ModelTable and AsyncModelTable."""

    def __init__(self, model: type[M], ttl: str | None) -> None:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError("model must be a Pydantic model class")
        if ttl is not None and ttl not in model.model_fields:
            raise ValueError(f"ttl={ttl!r} is not a field of {model.__name__}")
        self.model = model
        self.ttl = ttl

    def dump(self, values: BaseModel | Mapping[str, object] | None) -> Item:
        """A model (only the fields that were set) or mapping, as DynamoDB values."""
        if values is None:
            return {}
        raw = values.model_dump(exclude_unset=True) if isinstance(values, BaseModel) else values
        if not isinstance(raw, Mapping):
            raise ValueError("values must be a Pydantic model or a mapping")
        out = to_item({k: v for k, v in raw.items() if k != self.ttl})
        if self.ttl is not None and self.ttl in raw:
            out[self.ttl] = epoch_seconds(raw[self.ttl])
        return out

    def load(self, item: Mapping[str, Value]) -> M:
        """The stored item as the model (DynamoDB's Decimals, strings... parsed by it)."""
        return self.model.model_validate(dict(item))

    def page(self, page: Page) -> ModelPage[M]:
        """A page of items as a page of models."""
        return ModelPage([self.load(i) for i in page.items], page.cursor)


class ModelTable(_Convert[M]):
    """An OwnedTable whose items are `model` instances (typed for mypy)."""

    def __init__(self, table: OwnedTable, model: type[M], *, ttl: str | None = None) -> None:
        if not isinstance(table, OwnedTable):
            raise TypeError("ModelTable wraps an OwnedTable (AsyncModelTable: AsyncOwnedTable)")
        super().__init__(model, ttl)
        self.table = table

    def get(self, key: Mapping[str, Value], *, owner: str) -> M:
        """The item as the model; NotFound when missing or not the caller's."""
        return self.load(self.table.get(key, owner=owner))

    def create(
        self,
        item: BaseModel | Mapping[str, object],
        *,
        owner: str,
        server_values: Mapping[str, object] | None = None,
    ) -> M:
        """Create-only put of a model or mapping; returns the stored item as the model."""
        extra = self.dump(server_values) if server_values else None
        return self.load(self.table.create(self.dump(item), owner=owner, server_values=extra))

    def update(
        self,
        key: Mapping[str, Value],
        changes: BaseModel | Mapping[str, object] | None = None,
        *,
        owner: str,
        expected_version: ops.Expected = None,
        add: Mapping[str, object] | None = None,
        remove: Iterable[str] = (),
        append: Mapping[str, object] | None = None,
        delete: Mapping[str, object] | None = None,
        when: ConditionBase | None = None,
    ) -> M:
        """OwnedTable.update with a partial model (fields that were set) or a mapping."""
        item = self.table.update(
            key,
            self.dump(changes),
            owner=owner,
            expected_version=expected_version,
            add=add,
            remove=remove,
            append=append,
            delete=delete,
            when=when,
        )
        return self.load(item)

    def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
    ) -> None:
        """OwnedTable.delete."""
        self.table.delete(key, owner=owner, expected_version=expected_version, when=when)

    def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: ops.Expected = None,
    ) -> M:
        """OwnedTable.transfer, returning the model."""
        moved = self.table.transfer(
            key, owner=owner, new_owner=new_owner, expected_version=expected_version
        )
        return self.load(moved)

    def query(
        self,
        *,
        owner: str,
        index: str | None = None,
        key: ConditionBase | None = None,
        filter: ConditionBase | None = None,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ModelPage[M]:
        """OwnedTable.query, items as models (no projection: a model needs its fields)."""
        page = self.table.query(
            owner=owner,
            index=index,
            key=key,
            filter=filter,
            newest_first=newest_first,
            limit=limit,
            cursor=cursor,
        )
        return self.page(page)

    def batch_get(self, keys: Iterable[Mapping[str, Value]], *, owner: str) -> builtins.list[M]:
        """OwnedTable.batch_get, items as models."""
        return [self.load(i) for i in self.table.batch_get(keys, owner=owner)]


class AsyncModelTable(_Convert[M]):
    """An AsyncOwnedTable whose items are `model` instances (typed for mypy)."""

    def __init__(self, table: AsyncOwnedTable, model: type[M], *, ttl: str | None = None) -> None:
        if not isinstance(table, AsyncOwnedTable):
            raise TypeError("AsyncModelTable wraps an AsyncOwnedTable (ModelTable: OwnedTable)")
        super().__init__(model, ttl)
        self.table = table

    async def get(self, key: Mapping[str, Value], *, owner: str) -> M:
        """The item as the model; NotFound when missing or not the caller's."""
        return self.load(await self.table.get(key, owner=owner))

    async def create(
        self,
        item: BaseModel | Mapping[str, object],
        *,
        owner: str,
        server_values: Mapping[str, object] | None = None,
    ) -> M:
        """Create-only put of a model or mapping; returns the stored item as the model."""
        extra = self.dump(server_values) if server_values else None
        created = await self.table.create(self.dump(item), owner=owner, server_values=extra)
        return self.load(created)

    async def update(
        self,
        key: Mapping[str, Value],
        changes: BaseModel | Mapping[str, object] | None = None,
        *,
        owner: str,
        expected_version: ops.Expected = None,
        add: Mapping[str, object] | None = None,
        remove: Iterable[str] = (),
        append: Mapping[str, object] | None = None,
        delete: Mapping[str, object] | None = None,
        when: ConditionBase | None = None,
    ) -> M:
        """AsyncOwnedTable.update with a partial model or a mapping."""
        item = await self.table.update(
            key,
            self.dump(changes),
            owner=owner,
            expected_version=expected_version,
            add=add,
            remove=remove,
            append=append,
            delete=delete,
            when=when,
        )
        return self.load(item)

    async def delete(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        expected_version: ops.Expected = None,
        when: ConditionBase | None = None,
    ) -> None:
        """AsyncOwnedTable.delete."""
        await self.table.delete(key, owner=owner, expected_version=expected_version, when=when)

    async def transfer(
        self,
        key: Mapping[str, Value],
        *,
        owner: str,
        new_owner: str,
        expected_version: ops.Expected = None,
    ) -> M:
        """AsyncOwnedTable.transfer, returning the model."""
        moved = await self.table.transfer(
            key, owner=owner, new_owner=new_owner, expected_version=expected_version
        )
        return self.load(moved)

    async def query(
        self,
        *,
        owner: str,
        index: str | None = None,
        key: ConditionBase | None = None,
        filter: ConditionBase | None = None,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ModelPage[M]:
        """AsyncOwnedTable.query, items as models."""
        page = await self.table.query(
            owner=owner,
            index=index,
            key=key,
            filter=filter,
            newest_first=newest_first,
            limit=limit,
            cursor=cursor,
        )
        return self.page(page)

    async def batch_get(
        self, keys: Iterable[Mapping[str, Value]], *, owner: str
    ) -> builtins.list[M]:
        """AsyncOwnedTable.batch_get, items as models."""
        return [self.load(i) for i in await self.table.batch_get(keys, owner=owner)]
