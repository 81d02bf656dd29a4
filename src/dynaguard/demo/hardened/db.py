"""Guarded tables of the hardened app: aioboto3 resources made once, in the app's lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI

from dynaguard.demo.settings import region, table_name
from dynaguard.guard import AsyncOwnedTable

# Profile fields only the server sets: clients get 422, never a write.
PROFILE_SERVER_FIELDS = ("role", "password_reset_token", "internal_risk_score")


class Tables:
    """The app's guarded tables (set by `lifespan`, read through the `Db` dependency)."""

    users: AsyncOwnedTable
    projects: AsyncOwnedTable
    notes: AsyncOwnedTable
    attachments: AsyncOwnedTable


_tables = Tables()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open one aioboto3 resource for the app's lifetime (never a client per request)."""
    import aioboto3

    # Endpoint and credentials come from the standard AWS settings (AWS_ENDPOINT_URL_DYNAMODB...).
    session = aioboto3.Session()
    async with session.resource("dynamodb", region_name=region()) as resource:

        async def owned(name: str, key: str, fields: tuple[str, ...] = ()) -> AsyncOwnedTable:
            table = await resource.Table(table_name("hardened", name))
            return AsyncOwnedTable(table, key=(key,), owner="owner_id", server_fields=fields)

        _tables.users = await owned("users", "username", PROFILE_SERVER_FIELDS)
        _tables.projects = await owned("projects", "project_id")
        _tables.notes = await owned("notes", "note_id", ("attachment_count",))
        _tables.attachments = await owned("attachments", "attachment_id")
        yield


def get_tables() -> Tables:
    """FastAPI dependency: the guarded tables."""
    return _tables


Db = Annotated[Tables, Depends(get_tables)]
