import uuid
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query

from .db import get_settings, get_table, pk, project_sk
from .schemas import ProjectId, ProjectIn, ProjectOut, TransferIn
from .tenancy import Member, current_member, require_admin

router = APIRouter(tags=["projects"])


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def to_project(item: dict) -> ProjectOut:
    return ProjectOut(project_id=item["SK"].removeprefix("PROJECT#"), **item)


@router.get("/projects/", response_model=list[ProjectOut])
async def list_projects(member: Member = Depends(current_member), table=Depends(get_table)):
    kwargs = {
        "KeyConditionExpression": Key("PK").eq(pk(member.tenant)) & Key("SK").begins_with("PROJECT#")
    }
    projects = []
    while True:
        resp = await table.query(**kwargs)
        projects.extend(to_project(item) for item in resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return projects
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@router.post("/projects/", response_model=ProjectOut, status_code=201)
async def create_project(
    body: ProjectIn, member: Member = Depends(current_member), table=Depends(get_table)
):
    project_id = uuid.uuid4().hex
    item = {
        "PK": pk(member.tenant),
        "SK": project_sk(project_id),
        **body.model_dump(),
        "status": "active",
        "task_count": 0,
        "created_by": member.user_id,
        "created_at": now(),
    }
    await table.put_item(Item=item, ConditionExpression="attribute_not_exists(SK)")
    return to_project(item)


@router.get("/projects/{project_id}/")
async def get_project(
    project_id: ProjectId,
    fields: str | None = Query(None, max_length=200),
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    kwargs = {"Key": {"PK": pk(member.tenant), "SK": project_sk(project_id)}}
    if fields:
        kwargs["ProjectionExpression"] = fields
    resp = await table.get_item(**kwargs)
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="Project not found")
    return resp["Item"]


@router.patch("/projects/{project_id}/", response_model=ProjectOut)
async def rename_project(
    project_id: ProjectId,
    body: ProjectIn,
    member: Member = Depends(current_member),
    table=Depends(get_table),
):
    resp = await table.update_item(
        Key={"PK": pk(member.tenant), "SK": project_sk(project_id)},
        UpdateExpression="SET name = :n, description = :d, updated_at = :u",
        ConditionExpression="attribute_exists(SK)",
        ExpressionAttributeValues={":n": body.name, ":d": body.description, ":u": now()},
        ReturnValues="ALL_NEW",
    )
    return to_project(resp["Attributes"])


@router.post("/projects/{project_id}/archive/", response_model=ProjectOut)
async def archive_project(
    project_id: ProjectId, member: Member = Depends(current_member), table=Depends(get_table)
):
    try:
        resp = await table.update_item(
            Key={"PK": pk(member.tenant), "SK": project_sk(project_id)},
            UpdateExpression="SET #s = :archived, archived_by = :me, updated_at = :u",
            ConditionExpression="attribute_exists(SK)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":archived": "archived", ":me": member.user_id, ":u": now()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Project not found")
        raise
    return to_project(resp["Attributes"])


@router.delete("/projects/{project_id}/", status_code=204)
async def delete_project(
    project_id: ProjectId, admin: Member = Depends(require_admin), table=Depends(get_table)
):
    partition = pk(admin.tenant)
    resp = await table.query(
        KeyConditionExpression=Key("PK").eq(partition) & Key("SK").begins_with(f"TASK#{project_id}#"),
        ProjectionExpression="PK, SK",
    )
    async with table.batch_writer() as batch:
        for task in resp["Items"]:
            await batch.delete_item(Key={"PK": task["PK"], "SK": task["SK"]})
    await table.delete_item(
        Key={"PK": partition, "SK": project_sk(project_id)},
        ConditionExpression="attribute_exists(SK)",
    )


@router.post("/projects/{project_id}/transfer/", status_code=202)
async def transfer_project(
    project_id: ProjectId,
    body: TransferIn,
    admin: Member = Depends(require_admin),
    table=Depends(get_table),
):
    source = await table.get_item(Key={"PK": pk(admin.tenant), "SK": project_sk(project_id)})
    project = source.get("Item")
    if project is None:
        raise HTTPException(status_code=404, detail="Project not found")
    name = get_settings().table_name
    moved = {**project, "PK": pk(body.target_workspace), "transferred_from": admin.tenant}
    try:
        await table.meta.client.transact_write_items(
            TransactItems=[
                {"Delete": {
                    "TableName": name,
                    "Key": {"PK": project["PK"], "SK": project["SK"]},
                    "ConditionExpression": "attribute_exists(SK) AND task_count = :zero",
                    "ExpressionAttributeValues": {":zero": 0},
                }},
                {"Put": {"TableName": name, "Item": moved, "ConditionExpression": "attribute_not_exists(SK)"}},
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="Project has tasks or target exists")
        raise
    return {"project_id": project_id, "workspace": body.target_workspace}
