"""Projects and their tasks: FastAPI + boto3, PascalCase answers, nested parents.

As services modelled on AWS APIs are written: `{"Projects": [...], "NextToken": null}`,
`ProjectId`/`TaskId` fields, tasks under `/projects/{project_id}/tasks/{task_id}` but
stored in their own table keyed by `TaskId` (the parent is an attribute), and optimistic
locking through a `Version` field the client sends back.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import uuid
from decimal import Decimal
from typing import Annotated, Any

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Response
from pydantic import BaseModel, Field

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    dynamo_table,
    expect_ok,
    hash_password,
    issue,
    scan_keys,
    subject,
    table_name,
)

BUGS = {
    "task_read_any_parent": "GET .../tasks/{task_id} checks the project, not the task's parent",
    "task_write_any_parent": "PATCH .../tasks/{task_id} checks the project, not the task's parent",
    "lost_update": "PATCH .../tasks/{task_id} ignores the Version the client sent",
    "oracle": "GET /projects/{project_id} answers 403 for others' projects, 404 for missing",
}
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Credentials(BaseModel):
    Username: str = Field(pattern=r"^[a-z0-9]{3,20}$")
    Password: str


class ProjectIn(BaseModel):
    Name: str = Field(min_length=1, max_length=100)
    Description: str = ""


class Project(BaseModel):
    ProjectId: str
    Name: str
    Description: str
    Owner: str


class ProjectList(BaseModel):
    Projects: list[Project]
    NextToken: str | None = None


class TaskIn(BaseModel):
    Title: str = Field(min_length=1, max_length=200)
    Done: bool = False


class TaskPatch(BaseModel):
    Title: str | None = None
    Done: bool | None = None
    Version: int


class Task(BaseModel):
    TaskId: str
    ProjectId: str
    Title: str
    Done: bool
    Version: int


class TaskList(BaseModel):
    Tasks: list[Task]
    NextToken: str | None = None


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB numbers as ints."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The projects service with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    users = dynamo_table(table_name("prj-users"), "Username")
    projects = dynamo_table(table_name("projects"), "ProjectId")
    tasks = dynamo_table(table_name("tasks"), "TaskId")
    api = FastAPI(title="projects")
    Id = Annotated[str, Path(pattern=UUID)]

    def caller(authorization: Annotated[str | None, Header()] = None) -> str:
        name = subject(authorization.removeprefix("Bearer ")) if authorization else None
        if name is None:
            raise HTTPException(401, "Unauthorized: invalid token")
        return name

    Me = Annotated[str, Depends(caller)]

    @api.post("/register", status_code=201)
    def register(body: Credentials) -> dict[str, str]:
        try:
            users.put_item(
                Item={"Username": body.Username, "PasswordHash": hash_password(body.Password)},
                ConditionExpression="attribute_not_exists(Username)",
            )
        except ClientError:
            raise HTTPException(409, "UsernameExists") from None
        return {"Username": body.Username}

    @api.post("/token")
    def token(body: Credentials) -> dict[str, str]:
        item = users.get_item(Key={"Username": body.Username}).get("Item")
        if item is None or item["PasswordHash"] != hash_password(body.Password):
            raise HTTPException(401, "NotAuthorized")
        return {"AccessToken": issue(body.Username), "TokenType": "Bearer"}

    def project_of(project_id: str, me: str) -> dict[str, Any]:
        item = projects.get_item(Key={"ProjectId": project_id}).get("Item")
        if item is None:
            raise HTTPException(404, "NotFound")
        if item["Owner"] != me:
            raise HTTPException(403 if bug == "oracle" else 404, "NotFound")
        return plain(item)

    @api.get("/projects", response_model=ProjectList)
    def list_projects(me: Me) -> dict[str, Any]:
        items = projects.scan()["Items"]
        return {"Projects": [plain(i) for i in items if i["Owner"] == me], "NextToken": None}

    @api.post("/projects", status_code=201, response_model=Project)
    def create_project(body: ProjectIn, me: Me) -> dict[str, Any]:
        item = {"ProjectId": str(uuid.uuid4()), "Owner": me, **body.model_dump()}
        projects.put_item(Item=item, ConditionExpression="attribute_not_exists(ProjectId)")
        return item

    @api.get("/projects/{project_id}", response_model=Project)
    def read_project(project_id: Id, me: Me) -> dict[str, Any]:
        return project_of(project_id, me)

    @api.delete("/projects/{project_id}", status_code=204)
    def delete_project(project_id: Id, me: Me) -> Response:
        project_of(project_id, me)
        for task in tasks.scan()["Items"]:
            if task["ProjectId"] == project_id:
                tasks.delete_item(Key={"TaskId": task["TaskId"]})
        projects.delete_item(Key={"ProjectId": project_id})
        return Response(status_code=204)

    def task_of(project_id: str, task_id: str, check_parent: bool) -> dict[str, Any]:
        item = tasks.get_item(Key={"TaskId": task_id}).get("Item")
        if item is None or (check_parent and item["ProjectId"] != project_id):
            raise HTTPException(404, "NotFound")
        return plain(item)

    @api.get("/projects/{project_id}/tasks", response_model=TaskList)
    def list_tasks(project_id: Id, me: Me) -> dict[str, Any]:
        project_of(project_id, me)
        items = [plain(t) for t in tasks.scan()["Items"] if t["ProjectId"] == project_id]
        return {"Tasks": items, "NextToken": None}

    @api.post("/projects/{project_id}/tasks", status_code=201, response_model=Task)
    def create_task(project_id: Id, body: TaskIn, me: Me) -> dict[str, Any]:
        project_of(project_id, me)
        item = {"TaskId": str(uuid.uuid4()), "ProjectId": project_id, "Version": 1}
        item |= body.model_dump()
        tasks.put_item(Item=item, ConditionExpression="attribute_not_exists(TaskId)")
        return item

    @api.get("/projects/{project_id}/tasks/{task_id}", response_model=Task)
    def read_task(project_id: Id, task_id: Id, me: Me) -> dict[str, Any]:
        project_of(project_id, me)
        return task_of(project_id, task_id, check_parent=bug != "task_read_any_parent")

    @api.patch("/projects/{project_id}/tasks/{task_id}", response_model=Task)
    def patch_task(project_id: Id, task_id: Id, body: TaskPatch, me: Me) -> dict[str, Any]:
        project_of(project_id, me)
        task_of(project_id, task_id, check_parent=bug != "task_write_any_parent")
        changes = body.model_dump(exclude_none=True, exclude={"Version"})
        sets = [f"{k} = :{k}" for k in changes]
        values: dict[str, Any] = {f":{k}": v for k, v in changes.items()} | {":one": 1}
        condition = "attribute_exists(TaskId)"
        if bug != "lost_update":
            condition += " AND Version = :seen"
            values[":seen"] = body.Version
        try:
            new = tasks.update_item(
                Key={"TaskId": task_id},
                UpdateExpression=("SET " + ", ".join(sets) + " " if sets else "")
                + "ADD Version :one",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except ClientError:
            raise HTTPException(409, "Conflict: the task changed") from None
        return plain(new)

    @api.delete("/projects/{project_id}/tasks/{task_id}", status_code=204)
    def delete_task(project_id: Id, task_id: Id, me: Me) -> Response:
        project_of(project_id, me)
        task_of(project_id, task_id, check_parent=True)
        tasks.delete_item(Key={"TaskId": task_id})
        return Response(status_code=204)

    async def login_as(client: Any, name: str) -> str:
        await client.post("/register", json={"Username": name, "Password": PASSWORD})
        answer = await client.post("/token", json={"Username": name, "Password": PASSWORD})
        return f"Authorization: Bearer {expect_ok(answer).json()['AccessToken']}"

    def snapshot() -> set[str]:
        return (
            {f"user:{k}" for k in scan_keys(users, "Username")}
            | {f"project:{k}" for k in scan_keys(projects, "ProjectId")}
            | {f"task:{k}" for k in scan_keys(tasks, "TaskId")}
        )

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=login_as)
