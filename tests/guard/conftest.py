"""Guard fixtures: boto3 handles on the session's embedded DynamoDB, one fresh table per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aioboto3
import boto3
import pytest
from guard_helpers import OWNER_INDEX, MakeTable, Requests, unique

from dynaguard.demo.embedded import EmbeddedDynamoDB, create_table
from dynaguard.guard import OwnedTable


@pytest.fixture(scope="session")
def ddb_client(dynamodb_server: EmbeddedDynamoDB) -> Any:
    """One low-level client for the session (boto3 clients are thread-safe)."""
    return boto3.client("dynamodb", **dynamodb_server.client_kwargs())


@pytest.fixture(scope="session")
def ddb_resource(dynamodb_server: EmbeddedDynamoDB) -> Any:
    """One boto3 resource for the session."""
    return boto3.resource("dynamodb", **dynamodb_server.client_kwargs())


@pytest.fixture
def make_table(ddb_client: Any, ddb_resource: Any) -> MakeTable:
    """Create a fresh table and return its boto3 Table resource."""

    def make(
        *, hash_key: str = "item_id", range_key: str | None = None, owner: str | None = "owner_id"
    ) -> Any:
        name = unique("guard")
        index = (OWNER_INDEX, owner) if owner and owner not in (hash_key, range_key) else None
        create_table(ddb_client, name, hash_key=hash_key, range_key=range_key, owner_index=index)
        return ddb_resource.Table(name)

    return make


@pytest.fixture
def owned(make_table: MakeTable) -> OwnedTable:
    """An OwnedTable on a fresh table: key item_id, owner owner_id, version version."""
    return OwnedTable(make_table(), key=("item_id",), owner="owner_id", version="version")


@pytest.fixture
def requests_sent(ddb_resource: Any) -> Iterator[Requests]:
    """Record every HTTP request the session resource's client sends during the test."""
    recorder = Requests()
    events = ddb_resource.meta.client.meta.events
    events.register("before-send.dynamodb", recorder, unique_id="guard-test-recorder")
    yield recorder
    events.unregister("before-send.dynamodb", unique_id="guard-test-recorder")


@pytest.fixture
async def dynamo(dynamodb_server: EmbeddedDynamoDB) -> AsyncIterator[Any]:
    """One aioboto3 resource for the test (created once, shared by every task)."""
    session = aioboto3.Session()
    async with session.resource("dynamodb", **dynamodb_server.client_kwargs()) as resource:
        yield resource


@pytest.fixture
async def async_table(dynamo: Any, ddb_client: Any) -> Any:
    """A fresh table with the owner index, as an aioboto3 Table resource."""
    name = unique("async")
    create_table(ddb_client, name, hash_key="item_id", owner_index=(OWNER_INDEX, "owner_id"))
    return await dynamo.Table(name)
