import os
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Optional

import aioboto3
from boto3.dynamodb.conditions import Attr, Key

TABLE_NAME = os.environ.get("NOTES_TABLE", "notes-app")
ENDPOINT = os.environ.get("DYNAMODB_ENDPOINT")

session = aioboto3.Session()


@asynccontextmanager
async def get_table() -> AsyncIterator[Any]:
    async with session.resource("dynamodb", endpoint_url=ENDPOINT) as dynamodb:
        yield await dynamodb.Table(TABLE_NAME)


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class NotesRepository:
    """Single-table access: users are USER#<email>/PROFILE, notes are NOTE#<id>/META."""

    async def get_user(self, email: str) -> Optional[dict]:
        async with get_table() as table:
            resp = await table.get_item(Key={"pk": f"USER#{email}", "sk": "PROFILE"})
        return resp.get("Item")

    async def create_user(self, item: dict) -> None:
        async with get_table() as table:
            await table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    async def update_profile(self, email: str, display_name: str, bio: str) -> dict:
        async with get_table() as table:
            resp = await table.update_item(
                Key={"pk": f"USER#{email}", "sk": "PROFILE"},
                UpdateExpression="SET display_name = :d, bio = :b, updated_at = :u",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":d": display_name, ":b": bio, ":u": now()},
                ReturnValues="ALL_NEW",
            )
        return resp["Attributes"]

    async def get_note(self, note_id: str) -> Optional[dict]:
        async with get_table() as table:
            resp = await table.get_item(Key={"pk": f"NOTE#{note_id}", "sk": "META"})
        return resp.get("Item")

    async def list_notes(self, owner_id: str) -> list[dict]:
        async with get_table() as table:
            resp = await table.query(
                IndexName="gsi1",
                KeyConditionExpression=Key("gsi1pk").eq(f"OWNER#{owner_id}"),
            )
        return resp["Items"]

    async def put_note(self, item: dict) -> None:
        async with get_table() as table:
            await table.put_item(Item=item)

    async def update_note(self, note_id: str, title: str, body: str) -> dict:
        async with get_table() as table:
            resp = await table.update_item(
                Key={"pk": f"NOTE#{note_id}", "sk": "META"},
                UpdateExpression="SET title = :t, body = :b, updated_at = :u",
                ExpressionAttributeValues={":t": title, ":b": body, ":u": now()},
                ReturnValues="ALL_NEW",
            )
        return resp["Attributes"]

    async def set_status(self, note_id: str, status: str) -> None:
        async with get_table() as table:
            await table.update_item(
                Key={"pk": f"NOTE#{note_id}", "sk": "META"},
                UpdateExpression="SET status = :s, updated_at = :u",
                ExpressionAttributeValues={":s": status, ":u": now()},
            )

    async def add_share(self, note_id: str, email: str) -> None:
        async with get_table() as table:
            await table.update_item(
                Key={"pk": f"NOTE#{note_id}", "sk": "META"},
                UpdateExpression="SET shared_with = list_append(if_not_exists(shared_with, :empty), :e)",
                ExpressionAttributeValues={":e": [email], ":empty": []},
            )

    async def delete_note(self, note_id: str, owner_id: str) -> None:
        async with get_table() as table:
            await table.delete_item(
                Key={"pk": f"NOTE#{note_id}", "sk": "META"},
                ConditionExpression=Attr("owner_id").eq(owner_id),
            )

    async def all_users(self) -> list[dict]:
        async with get_table() as table:
            resp = await table.scan(FilterExpression=Attr("sk").eq("PROFILE"))
            items = resp["Items"]
            while "LastEvaluatedKey" in resp:
                resp = await table.scan(
                    FilterExpression=Attr("sk").eq("PROFILE"),
                    ExclusiveStartKey=resp["LastEvaluatedKey"],
                )
                items.extend(resp["Items"])
        return items
