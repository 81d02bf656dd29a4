"""workspaces.* and members.* methods."""
import uuid
from datetime import datetime, timezone
from typing import Annotated, Literal

import boto3
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, StringConstraints

from .db import MEMBERS, WORKSPACES, from_item, serialize, settings
from .rpc import Context, RpcError, conflict, invalid_params, not_found, parse, require_member, rpc

Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Sub = Annotated[str, StringConstraints(pattern=r"^[0-9a-f-]{36}$")]
Role = Literal["editor", "viewer"]

SEATS = {"free": 5, "team": 50, "enterprise": 1000}

cognito = boto3.client("cognito-idp", region_name=settings.region)


class WorkspaceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=500)


class WorkspaceRef(BaseModel):
    workspace_id: Id


class WorkspaceUpdate(WorkspaceRef):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=500)
    default_note_status: Literal["draft", "published"] | None = None
    plan: Literal["free", "team", "enterprise"] | None = None


class MemberAdd(WorkspaceRef):
    user_sub: Sub
    role: Role = "viewer"


class MemberInvite(WorkspaceRef):
    email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s\"]+@[^@\s\"]+\.[a-z]{2,}$")]
    role: Role = "viewer"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _workspace_out(item: dict, role: str) -> dict:
    ws = from_item(item)
    return {
        "id": ws["workspace_id"],
        "name": ws["name"],
        "description": ws.get("description", ""),
        "plan": ws["plan"],
        "note_count": ws.get("note_count", 0),
        "role": role,
    }


@rpc("workspaces.create")
async def create_workspace(params: dict, ctx: Context) -> dict:
    p = parse(WorkspaceCreate, params)
    workspace_id = uuid.uuid4().hex
    now = _now()
    workspace = {
        "workspace_id": {"S": workspace_id},
        "name": {"S": p.name},
        "description": {"S": p.description},
        "owner_sub": {"S": ctx.caller.sub},
        "plan": {"S": "free"},
        "note_count": {"N": "0"},
        "created_at": {"S": now},
    }
    owner = {
        "workspace_id": {"S": workspace_id},
        "user_sub": {"S": ctx.caller.sub},
        "role": {"S": "owner"},
        "added_at": {"S": now},
    }
    await ctx.client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": WORKSPACES, "Item": workspace,
                     "ConditionExpression": "attribute_not_exists(workspace_id)"}},
            {"Put": {"TableName": MEMBERS, "Item": owner,
                     "ConditionExpression": "attribute_not_exists(user_sub)"}},
        ]
    )
    return _workspace_out(workspace, "owner")


@rpc("workspaces.get")
async def get_workspace(params: dict, ctx: Context) -> dict:
    p = parse(WorkspaceRef, params)
    role = await require_member(ctx, p.workspace_id)
    resp = await ctx.client.get_item(TableName=WORKSPACES, Key={"workspace_id": p.workspace_id})
    if "Item" not in resp:
        raise not_found("workspace")
    return _workspace_out(resp["Item"], role)


@rpc("workspaces.update")
async def update_workspace(params: dict, ctx: Context) -> dict:
    p = parse(WorkspaceUpdate, params)
    await require_member(ctx, p.workspace_id, ("owner",))
    fields = p.model_dump(exclude={"workspace_id"}, exclude_none=True)
    if not fields:
        raise invalid_params("nothing to update")
    fields["updated_at"] = _now()
    resp = await ctx.client.update_item(
        TableName=WORKSPACES,
        Key={"workspace_id": {"S": p.workspace_id}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
        ConditionExpression="attribute_exists(workspace_id)",
        ExpressionAttributeNames={f"#{k}": k for k in fields},
        ExpressionAttributeValues={f":{k}": serialize(v) for k, v in fields.items()},
        ReturnValues="ALL_NEW",
    )
    return _workspace_out(resp["Attributes"], "owner")


async def _check_seats(ctx: Context, workspace_id: str) -> None:
    ws = await ctx.client.get_item(
        TableName=WORKSPACES, Key={"workspace_id": {"S": workspace_id}}, ProjectionExpression="#p",
        ExpressionAttributeNames={"#p": "plan"},
    )
    plan = ws.get("Item", {}).get("plan", {}).get("S", "free")
    count = await ctx.client.query(
        TableName=MEMBERS,
        KeyConditionExpression="workspace_id = :ws",
        ExpressionAttributeValues={":ws": {"S": workspace_id}},
        Select="COUNT",
    )
    if count["Count"] >= SEATS[plan]:
        raise RpcError(-32010, f"the {plan} plan allows {SEATS[plan]} members", 402)


@rpc("members.add")
async def add_member(params: dict, ctx: Context) -> dict:
    p = parse(MemberAdd, params)
    await require_member(ctx, p.workspace_id, ("owner",))
    await _check_seats(ctx, p.workspace_id)
    try:
        await ctx.client.put_item(
            TableName=MEMBERS,
            Item={
                "workspace_id": {"S": p.workspace_id},
                "user_sub": {"S": p.user_sub},
                "role": {"S": p.role},
                "added_by": {"S": ctx.caller.sub},
                "added_at": {"S": _now()},
            },
            ConditionExpression="attribute_not_exists(user_sub)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise conflict("already a member")
        raise
    return {"workspace_id": p.workspace_id, "user_sub": p.user_sub, "role": p.role}


@rpc("members.invite")
async def invite_member(params: dict, ctx: Context) -> dict:
    p = parse(MemberInvite, params)
    await require_member(ctx, p.workspace_id, ("owner",))
    found = cognito.list_users(
        UserPoolId=settings.user_pool_id, Filter=f'email = "{p.email.lower()}"', Limit=1
    )
    if not found["Users"]:
        raise not_found("user")
    attrs = {a["Name"]: a["Value"] for a in found["Users"][0]["Attributes"]}
    return await add_member(
        {"workspace_id": p.workspace_id, "user_sub": attrs["sub"], "role": p.role}, ctx
    )

