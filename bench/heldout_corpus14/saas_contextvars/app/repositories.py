"""Single-table repositories. Every key starts from the tenant in the context."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from boto3.dynamodb.conditions import Attr, Key

from .context import current_tenant, current_user


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def encode_cursor(last_key: Optional[dict[str, Any]]) -> Optional[str]:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode()


def decode_cursor(cursor: Optional[str]) -> Optional[dict[str, Any]]:
    if not cursor:
        return None
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


class ProjectRepository:
    def __init__(self, table):
        self.table = table

    @staticmethod
    def _pk() -> str:
        return f"TENANT#{current_tenant.get()}"

    async def list(self, limit: int, cursor: Optional[str]) -> tuple[list[dict], Optional[str]]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(self._pk()) & Key("sk").begins_with("PROJECT#"),
            "FilterExpression": Attr("deleted_at").not_exists() & Attr("kind").eq("project"),
            "Limit": limit,
        }
        start = decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        resp = await self.table.query(**kwargs)
        return resp["Items"], encode_cursor(resp.get("LastEvaluatedKey"))

    async def get(self, project_id: str) -> Optional[dict]:
        resp = await self.table.get_item(Key={"pk": self._pk(), "sk": f"PROJECT#{project_id}"})
        item = resp.get("Item")
        if item is None or "deleted_at" in item:
            return None
        return item

    async def create(self, name: str, description: str) -> dict:
        project_id = uuid.uuid4().hex
        item = {
            "pk": self._pk(),
            "sk": f"PROJECT#{project_id}",
            "kind": "project",
            "project_id": project_id,
            "tenant_id": current_tenant.get(),
            "name": name,
            "description": description,
            "status": "active",
            "created_by": current_user.get()["sub"],
            "created_at": _now(),
            "version": 1,
            "member_count": 0,
        }
        await self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
        return item

    async def update(self, project_id: str, changes: dict[str, Any], expected_version: int) -> dict:
        names = {"#v": "version"}
        values: dict[str, Any] = {":expected": expected_version, ":one": 1, ":now": _now()}
        sets = ["#v = #v + :one", "updated_at = :now"]
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
        resp = await self.table.update_item(
            Key={"pk": self._pk(), "sk": f"PROJECT#{project_id}"},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="#v = :expected AND attribute_not_exists(deleted_at)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    async def soft_delete(self, project_id: str) -> dict:
        resp = await self.table.update_item(
            Key={"pk": self._pk(), "sk": f"PROJECT#{project_id}"},
            UpdateExpression="SET deleted_at = :now, deleted_by = :me",
            ConditionExpression="attribute_exists(sk) AND attribute_not_exists(deleted_at)",
            ExpressionAttributeValues={":now": _now(), ":me": current_user.get()["sub"]},
            ReturnValues="UPDATED_OLD",
        )
        return resp.get("Attributes", {})

    async def archive(self, project_id: str) -> dict:
        resp = await self.table.update_item(
            Key={"pk": self._pk(), "sk": f"PROJECT#{project_id}"},
            UpdateExpression="SET #s = :archived, archived_at = :now",
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":archived": "archived", ":now": _now()},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    async def search(self, q: str, limit: int, cursor: Optional[str]) -> tuple[list[dict], Optional[str]]:
        kwargs: dict[str, Any] = {
            "FilterExpression": Attr("tenant_id").eq(current_tenant.get())
            & Attr("kind").eq("project")
            & Attr("name").contains(q),
            "Limit": limit,
        }
        start = decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        resp = await self.table.scan(**kwargs)
        return resp["Items"], encode_cursor(resp.get("LastEvaluatedKey"))


class MemberRepository:
    def __init__(self, table):
        self.table = table

    async def add(self, project_id: str, user_id: str, role: str) -> None:
        pk = f"TENANT#{current_tenant.get()}"
        await self.table.put_item(
            Item={
                "pk": pk,
                "sk": f"PROJECT#{project_id}#MEMBER#{user_id}",
                "kind": "member",
                "user_id": user_id,
                "role": role,
                "added_by": current_user.get()["sub"],
                "added_at": _now(),
            },
            ConditionExpression="attribute_not_exists(sk)",
        )

    async def bump_count(self, project_id: str) -> None:
        await self.table.update_item(
            Key={"pk": f"TENANT#{current_tenant.get()}", "sk": f"PROJECT#{project_id}"},
            UpdateExpression="ADD member_count :one",
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeValues={":one": 1},
        )


class ActivityRepository:
    """Activity events are fanned out under their own partition for the feed."""

    def __init__(self, table):
        self.table = table

    async def record(self, project_id: str, action: str) -> None:
        await self.table.put_item(
            Item={
                "pk": f"PROJECT#{project_id}",
                "sk": f"ACT#{_now()}#{uuid.uuid4().hex[:8]}",
                "tenant_id": current_tenant.get(),
                "actor": current_user.get()["sub"],
                "action": action,
                "at": _now(),
            }
        )

    async def for_project(self, project_id: str, limit: int = 50) -> list[dict]:
        resp = await self.table.query(
            KeyConditionExpression=Key("pk").eq(f"PROJECT#{project_id}"),
            ScanIndexForward=False,
            Limit=limit,
        )
        return resp["Items"]


class TaskRepository:
    def __init__(self, table):
        self.table = table

    @staticmethod
    def _key(project_id: str, task_id: str) -> dict[str, str]:
        return {"pk": f"TENANT#{current_tenant.get()}", "sk": f"PROJECT#{project_id}#TASK#{task_id}"}

    async def get(self, project_id: str, task_id: str) -> Optional[dict]:
        resp = await self.table.get_item(Key=self._key(project_id, task_id))
        return resp.get("Item")
