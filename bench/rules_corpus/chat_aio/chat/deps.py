import os
from collections.abc import AsyncIterator

import aioboto3
from fastapi import Depends, HTTPException, Request

session = aioboto3.Session()
TABLE = os.environ.get("CHAT_TABLE", "chat")


async def get_table() -> AsyncIterator:
    async with session.resource("dynamodb") as ddb:
        yield await ddb.Table(TABLE)


async def get_client() -> AsyncIterator:
    async with session.client("dynamodb") as client:
        yield client


async def current_user(request: Request, table=Depends(get_table)) -> dict:
    token = request.headers.get("x-session")
    if not token:
        raise HTTPException(401)
    resp = await table.get_item(Key={"pk": f"SESSION#{token}", "sk": "SESSION"})
    if "Item" not in resp:
        raise HTTPException(401)
    return resp["Item"]
