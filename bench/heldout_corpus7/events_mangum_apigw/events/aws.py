"""One aioboto3 resource per warm Lambda container, opened on first use."""

import asyncio
import os
from contextlib import AsyncExitStack
from typing import Annotated, Any

import aioboto3
from botocore.exceptions import ClientError
from fastapi import Depends, HTTPException

REGION = os.environ.get("AWS_REGION", "eu-central-1")
EVENTS_TABLE = os.environ["EVENTS_TABLE"]
REGISTRATIONS_TABLE = os.environ["REGISTRATIONS_TABLE"]
IDEMPOTENCY_TABLE = os.environ["IDEMPOTENCY_TABLE"]
WAITLIST_TABLE = os.environ["WAITLIST_TABLE"]

_session = aioboto3.Session()
_stack = AsyncExitStack()
_lock = asyncio.Lock()
_resource = None


async def dynamodb():
    global _resource
    async with _lock:
        if _resource is None:
            _resource = await _stack.enter_async_context(
                _session.resource("dynamodb", region_name=REGION)
            )
    return _resource


def _table(name: str):
    async def dependency(ddb=Depends(dynamodb)):
        return await ddb.Table(name)

    return dependency


Events = Annotated[Any, Depends(_table(EVENTS_TABLE))]
Registrations = Annotated[Any, Depends(_table(REGISTRATIONS_TABLE))]
Idempotency = Annotated[Any, Depends(_table(IDEMPOTENCY_TABLE))]
Waitlist = Annotated[Any, Depends(_table(WAITLIST_TABLE))]


def conditional_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def storage_error(exc: ClientError) -> HTTPException:
    return HTTPException(
        status_code=502,
        detail={"message": "storage error", "aws": exc.response["Error"]},
    )
