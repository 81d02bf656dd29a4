import uuid

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query

from .db import get_settings, get_table, pk, project_sk, task_sk
from .projects import now
from .schemas import AssignIn, MoveIn, ProjectId, TaskId, TaskIn, TaskOut, TaskPatch
from .tenancy import Member, current_member

router = APIRouter(prefix="/projects/{project_id}/tasks", tags=["tasks"])
search_router = APIRouter(tags=["tasks"])


def to_task(item: dict) -> TaskOut:
    _, project_id, task_id = item["SK"].split("#", 2)
    return TaskOut(project_id=project_id, task_id=task_id, **item)


@router.get("/", response_model=list[TaskOut])
async def list_tasks(
    project_id: ProjectId, member: Member = Depends(current_member), table=Depends(get_table)
):
    kwargs = {
        "KeyConditionExpression": Key("PK").eq(pk(member.tenant))
        & Key("SK").begins_with(f"TASK#{project_id}#")
    }
    tasks = []
    while True:
        resp = await table.query(**kwargs)
        tasks.extend(to_task(item) for item in resp["Items"] if not item.get("private"))
        if "LastEvaluatedKey" not in resp:
            return tasks
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@router.post("/", response_model=TaskOut, status_code=201)
async def create_task(
    project_id: ProjectId,
    body: TaskIn,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    task_id = uuid.uuid4().hex
    name = get_settings().table_name
    item = {
        "PK": pk(member.tenant),
        "SK": task_sk(project_id, task_id),
        **body.model_dump(),
        "status": "todo",
        "created_by": member.user_id,
        "created_at": now(),
    }
    try:
        await table.meta.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": item, "ConditionExpression": "attribute_not_exists(SK)"}},
                {"Update": {
                    "TableName": name,
                    "Key": {"PK": pk(member.tenant), "SK": project_sk(project_id)},
                    "UpdateExpression": "ADD task_count :one",
                    "ConditionExpression": "attribute_exists(SK) AND #s = :active",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":one": 1, ":active": "active"},
                }},
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="Project is missing or archived")
        raise
    return to_task(item)


@router.get("/{task_id}/", response_model=TaskOut)
async def get_task(
    project_id: ProjectId,
    task_id: TaskId,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    resp = await table.get_item(Key={"PK": pk(member.tenant), "SK": task_sk(project_id, task_id)})
    task = resp.get("Item")
    if task is None or (task.get("private") and task["created_by"] != member.user_id):
        raise HTTPException(status_code=404, detail="Task not found")
    return to_task(task)


@router.patch("/{task_id}/", response_model=TaskOut)
async def update_task(
    project_id: ProjectId,
    task_id: TaskId,
    body: TaskPatch,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(status_code=422, detail="Nothing to update")
    changes["updated_at"] = now()
    resp = await table.update_item(
        Key={"PK": pk(member.tenant), "SK": task_sk(project_id, task_id)},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression=Attr("SK").exists(),
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
        ReturnValues="ALL_NEW",
    )
    return to_task(resp["Attributes"])


@router.post("/{task_id}/assign/", response_model=TaskOut)
async def assign_task(
    project_id: ProjectId,
    task_id: TaskId,
    body: AssignIn,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    key = {"PK": pk(member.tenant), "SK": task_sk(project_id, task_id)}
    task = (await table.get_item(Key=key)).get("Item")
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    if task["status"] == "done":
        raise HTTPException(status_code=409, detail="Task is already done")
    resp = await table.update_item(
        Key=key,
        UpdateExpression="SET assignee = :a, updated_at = :u",
        ConditionExpression=Attr("SK").exists(),
        ExpressionAttributeValues={":a": body.assignee, ":u": now()},
        ReturnValues="ALL_NEW",
    )
    return to_task(resp["Attributes"])


@router.post("/{task_id}/move/", response_model=TaskOut)
async def move_task(
    project_id: ProjectId,
    task_id: TaskId,
    body: MoveIn,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    partition = pk(member.tenant)
    task = (await table.get_item(Key={"PK": partition, "SK": task_sk(project_id, task_id)})).get("Item")
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    name = get_settings().table_name
    moved = {**task, "SK": task_sk(body.target_project_id, task_id), "updated_at": now()}
    try:
        await table.meta.client.transact_write_items(
            TransactItems=[
                {"Delete": {
                    "TableName": name,
                    "Key": {"PK": {"S": partition}, "SK": {"S": task["SK"]}},
                    "ConditionExpression": "attribute_exists(SK)",
                }},
                {"Put": {"TableName": name, "Item": moved, "ConditionExpression": "attribute_not_exists(SK)"}},
                {"Update": {
                    "TableName": name,
                    "Key": {"PK": {"S": partition}, "SK": {"S": project_sk(body.target_project_id)}},
                    "UpdateExpression": "ADD task_count :one",
                    "ConditionExpression": "attribute_exists(SK)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }},
            ]
        )
    except ClientError as exc:
        raise HTTPException(status_code=409, detail=f"Could not move task: {exc}")
    return to_task(moved)


@search_router.get("/tasks/search/", response_model=list[TaskOut])
async def search_tasks(
    q: str = Query(..., min_length=2, max_length=100),
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    resp = await table.scan(FilterExpression=Attr("title").contains(q) & Attr("SK").begins_with("TASK#"))
    mine = pk(member.tenant)
    return [to_task(item) for item in resp["Items"] if item["PK"] == mine]
