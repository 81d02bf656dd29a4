from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response

from .context import current_tenant, current_user, require_tenant_admin
from .repositories import (
    ActivityRepository,
    MemberRepository,
    ProjectRepository,
    TaskRepository,
)
from .schemas import (
    ActivityOut,
    MemberAdd,
    ProjectCreate,
    ProjectId,
    ProjectOut,
    ProjectPage,
    ProjectPatch,
    TaskCreate,
    TaskId,
    TaskOut,
    UserSettings,
)

router = APIRouter()
webhooks = APIRouter(prefix="/webhooks")


def get_table(request: Request):
    return request.app.state.table


def projects_repo(table=Depends(get_table)) -> ProjectRepository:
    return ProjectRepository(table)


def members_repo(table=Depends(get_table)) -> MemberRepository:
    return MemberRepository(table)


def activity_repo(table=Depends(get_table)) -> ActivityRepository:
    return ActivityRepository(table)


def _etag(item: dict) -> str:
    return f'W/"{item["version"]}"'


def _conflict(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


# --- projects -----------------------------------------------------------------

@router.get("/projects", response_model=ProjectPage)
async def list_projects(
    limit: int = Query(25, ge=1, le=100),
    cursor: Optional[str] = Query(None, max_length=2048),
    repo: ProjectRepository = Depends(projects_repo),
):
    items, nxt = await repo.list(limit, cursor)
    return {"items": items, "next": nxt}


@router.post("/projects", response_model=ProjectOut, status_code=201)
async def create_project(body: ProjectCreate, repo: ProjectRepository = Depends(projects_repo)):
    return await repo.create(body.name, body.description)


@router.get("/projects/search", response_model=ProjectPage)
async def search_projects(
    q: str = Query(min_length=2, max_length=60),
    limit: int = Query(25, ge=1, le=100),
    cursor: Optional[str] = Query(None, max_length=2048),
    repo: ProjectRepository = Depends(projects_repo),
):
    items, nxt = await repo.search(q, limit, cursor)
    return {"items": items, "next": nxt}


@router.get("/projects/{project_id}", response_model=ProjectOut)
async def get_project(project_id: ProjectId, response: Response,
                      repo: ProjectRepository = Depends(projects_repo)):
    item = await repo.get(project_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Project not found")
    response.headers["ETag"] = _etag(item)
    return item


@router.patch("/projects/{project_id}", response_model=ProjectOut)
async def patch_project(
    project_id: ProjectId,
    body: ProjectPatch,
    response: Response,
    if_match: Optional[str] = Header(None),
    repo: ProjectRepository = Depends(projects_repo),
):
    if not if_match:
        raise HTTPException(status_code=428, detail="If-Match required")
    try:
        expected = int(if_match.removeprefix("W/").strip('"'))
    except ValueError:
        raise HTTPException(status_code=400, detail="Malformed If-Match")
    changes = body.model_dump(exclude_unset=True)
    try:
        item = await repo.update(project_id, changes, expected)
    except ClientError as exc:
        if _conflict(exc):
            raise HTTPException(status_code=412, detail="Precondition failed")
        raise
    response.headers["ETag"] = _etag(item)
    return item


@router.delete("/projects/{project_id}", status_code=204)
async def delete_project(project_id: ProjectId, repo: ProjectRepository = Depends(projects_repo)):
    try:
        old = await repo.soft_delete(project_id)
    except ClientError as exc:
        if _conflict(exc):
            raise HTTPException(status_code=404, detail="Project not found")
        raise
    if old.get("deleted_at"):
        raise HTTPException(status_code=409, detail="Already deleted")
    return Response(status_code=204)


@router.post("/projects/{project_id}/archive", response_model=ProjectOut)
async def archive_project(
    project_id: ProjectId,
    repo: ProjectRepository = Depends(projects_repo),
    activity: ActivityRepository = Depends(activity_repo),
):
    try:
        item = await repo.archive(project_id)
    except ClientError as exc:
        if _conflict(exc):
            raise HTTPException(status_code=404, detail="Project not found")
        raise
    await activity.record(project_id, "archived")
    return item


@router.get("/projects/{project_id}/activity", response_model=list[ActivityOut])
async def project_activity(project_id: str, activity: ActivityRepository = Depends(activity_repo)):
    return await activity.for_project(project_id)


@router.post("/projects/{project_id}/members", status_code=201)
async def add_member(
    project_id: ProjectId,
    body: MemberAdd,
    admin: dict = Depends(require_tenant_admin),
    repo: ProjectRepository = Depends(projects_repo),
    members: MemberRepository = Depends(members_repo),
):
    if await repo.get(project_id) is None:
        raise HTTPException(status_code=404, detail="Project not found")
    try:
        await asyncio.gather(
            members.add(project_id, body.user_id, body.role),
            members.bump_count(project_id),
        )
    except ClientError as exc:
        if _conflict(exc):
            raise HTTPException(status_code=409, detail="Already a member")
        raise
    return {"project_id": project_id, "user_id": body.user_id, "role": body.role}


# --- tasks --------------------------------------------------------------------

@router.get("/projects/{project_id}/tasks")
async def list_tasks(
    project_id: ProjectId,
    status: str = Query("open", max_length=20),
    fields: Optional[str] = Query(None, max_length=200),
    table=Depends(get_table),
):
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(f"TENANT#{current_tenant.get()}")
        & Key("sk").begins_with(f"PROJECT#{project_id}#TASK#"),
        "FilterExpression": "status = :s",
        "ExpressionAttributeValues": {":s": status},
    }
    if fields:
        kwargs["ProjectionExpression"] = ", ".join(f.strip() for f in fields.split(","))
    resp = await table.query(**kwargs)
    return {"items": [TaskOut.model_validate(i).model_dump() for i in resp["Items"]]}


@router.post("/projects/{project_id}/tasks", response_model=TaskOut, status_code=201)
async def create_task(project_id: ProjectId, body: TaskCreate, table=Depends(get_table),
                      repo: ProjectRepository = Depends(projects_repo)):
    if await repo.get(project_id) is None:
        raise HTTPException(status_code=404, detail="Project not found")
    task_id = uuid.uuid4().hex
    item = {
        "pk": f"TENANT#{current_tenant.get()}",
        "sk": f"PROJECT#{body.project_id}#TASK#{task_id}",
        "task_id": task_id,
        "project_id": body.project_id,
        "title": body.title,
        "assignee": body.assignee,
        "private": body.private,
        "status": "open",
        "created_by": current_user.get()["sub"],
    }
    await table.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
    return item


@router.get("/projects/{project_id}/tasks/{task_id}", response_model=TaskOut)
async def get_task(project_id: ProjectId, task_id: TaskId, table=Depends(get_table)):
    task = await TaskRepository(table).get(project_id, task_id)
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    me = current_user.get()["sub"]
    if task.get("private") and me not in (task.get("assignee"), task.get("created_by")):
        raise HTTPException(status_code=403, detail="This task is private")
    return task


@router.post("/projects/{project_id}/tasks/{task_id}/complete", response_model=TaskOut)
async def complete_task(project_id: ProjectId, task_id: TaskId, table=Depends(get_table)):
    tasks = TaskRepository(table)
    task = await tasks.get(project_id, task_id)
    me = current_user.get()["sub"]
    if task is None or (task.get("private") and me not in (task.get("assignee"), task.get("created_by"))):
        raise HTTPException(status_code=404, detail="Task not found")
    if task.get("assignee") not in (None, me):
        raise HTTPException(status_code=409, detail="Assigned to someone else")
    resp = await table.update_item(
        Key=TaskRepository._key(project_id, task_id),
        UpdateExpression="SET #s = :done, completed_by = :me, completed_at = :now",
        ConditionExpression="attribute_exists(sk)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":done": "done",
            ":me": me,
            ":now": datetime.now(timezone.utc).isoformat(),
        },
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


# --- people -------------------------------------------------------------------

@router.get("/team")
async def list_team(table=Depends(get_table)):
    resp = await table.scan(FilterExpression=Attr("sk").begins_with("USER#"))
    return resp["Items"]


@router.put("/me/settings", status_code=204)
async def put_settings(body: UserSettings, table=Depends(get_table)):
    user = current_user.get()
    await table.put_item(
        Item={
            "pk": f"TENANT#{current_tenant.get()}",
            "sk": f"USER#{user['sub']}",
            "email": user["email"],
            **body.model_dump(),
        }
    )
    return Response(status_code=204)


# --- billing webhook (public path, see context.PUBLIC_PATHS) ----------------------

@webhooks.post("/billing")
async def billing_webhook(request: Request, table=Depends(get_table)):
    event = await request.json()
    tenant_id = event["data"]["tenant_id"]
    await table.update_item(
        Key={"pk": f"TENANT#{tenant_id}", "sk": "PROFILE"},
        UpdateExpression="SET #p = :plan, seats = :seats",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":plan": event["data"]["plan"], ":seats": event["data"]["seats"]},
    )
    return {"received": True}
