"""notes.* and shares.* methods."""
import secrets
import uuid
from datetime import datetime, timezone
from typing import Annotated, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, StringConstraints

from .db import NOTES, SHARES, WORKSPACES, from_item, serialize, settings
from .rpc import (
    WRITERS,
    Context,
    conflict,
    forbidden,
    invalid_params,
    membership,
    not_found,
    parse,
    require_member,
    rpc,
)

Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
NoteStatus = Literal["draft", "published", "archived"]

MY_NOTES_SQL = (
    f'SELECT workspace_id, note_id, title, updated_at FROM "{NOTES}"."by_author" '
    "WHERE author_sub = ?"
)


class WorkspaceRef(BaseModel):
    workspace_id: Id


class NoteRef(WorkspaceRef):
    note_id: Id


class NoteCreate(WorkspaceRef):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000)
    tags: list[Annotated[str, StringConstraints(max_length=32)]] = Field(default_factory=list, max_length=20)
    author_sub: str | None = None  # the v1 importer keeps the original author


class NoteUpdate(NoteRef):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=100_000)
    tags: list[Annotated[str, StringConstraints(max_length=32)]] | None = Field(default=None, max_length=20)
    version: int = Field(ge=1)


class NoteList(WorkspaceRef):
    status: NoteStatus | None = None
    limit: int = Field(default=100, ge=1, le=500)


class StatusChange(NoteRef):
    status: NoteStatus


class NoteMove(NoteRef):
    target_workspace_id: Id


class ShareRef(BaseModel):
    token: Annotated[str, StringConstraints(min_length=43, max_length=43)]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _key(workspace_id: str, note_id: str) -> dict:
    return {"workspace_id": {"S": workspace_id}, "note_id": {"S": note_id}}


def _note_out(item: dict) -> dict:
    note = from_item(item)
    return {
        "id": note["note_id"],
        "workspace_id": note["workspace_id"],
        "title": note["title"],
        "body": note.get("body", ""),
        "tags": note.get("tags", []),
        "status": note["status"],
        "version": note["version"],
        "updated_at": note["updated_at"],
    }


def _failed_condition(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


@rpc("notes.create")
async def create_note(params: dict, ctx: Context) -> dict:
    p = parse(NoteCreate, params)
    await require_member(ctx, p.workspace_id, WRITERS)
    now = _now()
    item = {
        **_key(p.workspace_id, uuid.uuid4().hex),
        "title": {"S": p.title},
        "body": {"S": p.body},
        "tags": {"L": [{"S": tag} for tag in p.tags]},
        "author_sub": {"S": p.author_sub or ctx.caller.sub},
        "status": {"S": "draft"},
        "version": {"N": "1"},
        "created_at": {"S": now},
        "updated_at": {"S": now},
    }
    await ctx.client.put_item(
        TableName=NOTES, Item=item, ConditionExpression="attribute_not_exists(note_id)"
    )
    await ctx.client.update_item(
        TableName=WORKSPACES,
        Key={"workspace_id": {"S": p.workspace_id}},
        UpdateExpression="ADD note_count :one",
        ConditionExpression="attribute_exists(workspace_id)",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    return _note_out(item)


@rpc("notes.get")
async def get_note(params: dict, ctx: Context) -> dict:
    p = parse(NoteRef, params)
    resp = await ctx.client.get_item(TableName=NOTES, Key=_key(p.workspace_id, p.note_id))
    item = resp.get("Item")
    if item is None:
        raise not_found("note")
    if await membership(ctx.client, p.workspace_id, ctx.caller.sub) is None:
        raise forbidden()
    return _note_out(item)


@rpc("notes.list")
async def list_notes(params: dict, ctx: Context) -> dict:
    p = parse(NoteList, params)
    await require_member(ctx, p.workspace_id)
    query = {
        "TableName": NOTES,
        "KeyConditionExpression": "workspace_id = :ws",
        "ExpressionAttributeValues": {":ws": {"S": p.workspace_id}},
    }
    if p.status:
        query["FilterExpression"] = "#st = :st"
        query["ExpressionAttributeNames"] = {"#st": "status"}
        query["ExpressionAttributeValues"][":st"] = {"S": p.status}
    notes = []
    paginator = ctx.client.get_paginator("query")
    async for page in paginator.paginate(**query, PaginationConfig={"MaxItems": p.limit}):
        notes.extend(_note_out(item) for item in page["Items"])
    return {"notes": notes}


@rpc("notes.mine")
async def my_notes(params: dict, ctx: Context) -> dict:
    resp = await ctx.client.execute_statement(
        Statement=MY_NOTES_SQL, Parameters=[{"S": ctx.caller.sub}], Limit=100
    )
    rows = [from_item(item) for item in resp["Items"]]
    return {
        "notes": [
            {"workspace_id": r["workspace_id"], "id": r["note_id"], "title": r["title"], "updated_at": r["updated_at"]}
            for r in rows
        ]
    }


@rpc("notes.search")
async def search_notes(params: dict, ctx: Context) -> dict:
    workspace_id = parse(WorkspaceRef, params).workspace_id
    await require_member(ctx, workspace_id)
    text = str(params.get("query", "")).strip()
    if not text:
        return {"items": []}
    statement = (
        f'SELECT * FROM "{NOTES}" '
        f"WHERE workspace_id = '{workspace_id}' AND contains(title, '{text}')"
    )
    resp = await ctx.client.execute_statement(Statement=statement)
    return {"items": [from_item(item) for item in resp["Items"]]}


@rpc("notes.update")
async def update_note(params: dict, ctx: Context) -> dict:
    p = parse(NoteUpdate, params)
    await require_member(ctx, p.workspace_id, WRITERS)
    changes = p.model_dump(include={"title", "body", "tags"}, exclude_none=True)
    if not changes:
        raise invalid_params("nothing to update")
    names = {"#v": "version", "#u": "updated_at"}
    values = {":expected": {"N": str(p.version)}, ":one": {"N": "1"}, ":now": {"S": _now()}}
    assignments = ["#v = #v + :one", "#u = :now"]
    for name, value in changes.items():
        names[f"#{name}"] = name
        values[f":{name}"] = serialize(value)
        assignments.append(f"#{name} = :{name}")
    try:
        resp = await ctx.client.update_item(
            TableName=NOTES,
            Key=_key(p.workspace_id, p.note_id),
            UpdateExpression="SET " + ", ".join(assignments),
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if _failed_condition(exc):
            raise conflict("note was changed or deleted; reload it")
        raise
    return _note_out(resp["Attributes"])


@rpc("notes.setStatus")
async def set_status(params: dict, ctx: Context) -> dict:
    p = parse(StatusChange, params)
    await require_member(ctx, p.workspace_id, WRITERS)
    try:
        resp = await ctx.client.update_item(
            TableName=NOTES,
            Key=_key(p.workspace_id, p.note_id),
            UpdateExpression="SET #st = :st, #u = :now ADD #v :one",
            ConditionExpression="attribute_exists(note_id)",
            ExpressionAttributeNames={"#st": "status", "#u": "updated_at", "#v": "version"},
            ExpressionAttributeValues={":st": {"S": p.status}, ":now": {"S": _now()}, ":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if _failed_condition(exc):
            raise not_found("note")
        raise
    return _note_out(resp["Attributes"])


@rpc("notes.move")
async def move_note(params: dict, ctx: Context) -> dict:
    p = parse(NoteMove, params)
    await require_member(ctx, p.workspace_id, WRITERS)
    await require_member(ctx, p.target_workspace_id, WRITERS)
    resp = await ctx.client.get_item(
        TableName=NOTES, Key=_key(p.workspace_id, p.note_id), ConsistentRead=True
    )
    item = resp.get("Item")
    if item is None:
        raise not_found("note")
    moved = {**item, "workspace_id": {"S": p.target_workspace_id}, "updated_at": {"S": _now()}}
    await ctx.client.put_item(
        TableName=NOTES, Item=moved, ConditionExpression="attribute_not_exists(note_id)"
    )
    await ctx.client.delete_item(TableName=NOTES, Key=_key(p.workspace_id, p.note_id))
    return _note_out(moved)


@rpc("notes.delete")
async def delete_note(params: dict, ctx: Context) -> dict:
    try:
        await ctx.client.delete_item(
            TableName=NOTES,
            Key=_key(params["workspace_id"], params["note_id"]),
            ConditionExpression="attribute_exists(note_id)",
        )
    except ClientError as exc:
        if _failed_condition(exc):
            raise not_found("note")
        raise
    return {"deleted": True}


@rpc("shares.create")
async def create_share(params: dict, ctx: Context) -> dict:
    p = parse(NoteRef, params)
    await require_member(ctx, p.workspace_id, WRITERS)
    token = secrets.token_urlsafe(32)
    await ctx.client.put_item(
        TableName=SHARES,
        Item={
            "token": {"S": token},
            **_key(p.workspace_id, p.note_id),
            "created_by": {"S": ctx.caller.sub},
            "created_at": {"S": _now()},
            "views": {"N": "0"},
        },
    )
    return {"token": token, "url": f"{settings.public_base_url}/s/{token}"}


@rpc("shares.open", public=True)
async def open_share(params: dict, ctx: Context) -> dict:
    token = params.get("token")
    if not isinstance(token, str) or len(token) != 43:
        raise not_found("share")
    try:
        resp = await ctx.client.update_item(
            TableName=SHARES,
            Key={"token": {"S": token}},
            UpdateExpression="ADD #views :one",
            ConditionExpression="attribute_exists(#tok)",
            ExpressionAttributeNames={"#views": "views", "#tok": "token"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if _failed_condition(exc):
            raise not_found("share")
        raise
    share = resp["Attributes"]
    note = await ctx.client.get_item(
        TableName=NOTES, Key=_key(share["workspace_id"]["S"], share["note_id"]["S"])
    )
    item = note.get("Item")
    if item is None or item["status"]["S"] != "published":
        raise not_found("share")
    out = _note_out(item)
    return {"title": out["title"], "body": out["body"], "updated_at": out["updated_at"]}


@rpc("shares.revoke")
async def revoke_share(params: dict, ctx: Context) -> dict:
    p = parse(ShareRef, params)
    try:
        await ctx.client.delete_item(
            TableName=SHARES,
            Key={"token": {"S": p.token}},
            ConditionExpression="attribute_exists(#tok)",
            ExpressionAttributeNames={"#tok": "token"},
        )
    except ClientError as exc:
        if _failed_condition(exc):
            raise not_found("share")
        raise
    return {"revoked": True}
