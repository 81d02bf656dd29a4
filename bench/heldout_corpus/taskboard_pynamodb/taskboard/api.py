import uuid
from typing import Literal, Optional

from fastapi import Depends, FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, Field
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from .models import Member, Task, Workspace
from .security import TokenUser, get_current_user, require_admin

app = FastAPI(title="taskboard")

TaskId = Path(..., min_length=8, max_length=64, pattern=r"^[0-9a-f-]+$")
Slug = Field(..., min_length=3, max_length=40, pattern=r"^[a-z0-9-]+$")


class TaskCreate(BaseModel):
    workspace_id: str
    title: str = Field(max_length=200)
    description: str = ""
    assignee: Optional[str] = None
    points: int = Field(default=0, ge=0, le=100)


class TaskUpdate(BaseModel):
    title: Optional[str] = Field(default=None, max_length=200)
    description: Optional[str] = None
    assignee: Optional[str] = None


class StatusChange(BaseModel):
    status: Literal["todo", "doing", "review", "done"]


class TaskOut(BaseModel):
    task_id: str
    workspace_id: str
    title: str
    description: str
    status: str
    assignee: Optional[str] = None
    points: int


class WorkspaceCreate(BaseModel):
    slug: str = Slug
    name: str = Field(max_length=100)


class WorkspaceUpdate(BaseModel):
    name: str = Field(max_length=100)
    plan: str = "free"


class MemberIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "editor", "admin"] = "viewer"


def to_out(task: Task) -> TaskOut:
    return TaskOut(**task.attribute_values)


@app.post("/tasks", response_model=TaskOut, status_code=201)
async def create_task(body: TaskCreate, user: TokenUser = Depends(get_current_user)):
    task = Task(str(uuid.uuid4()), owner_id=user.sub, **body.dict())
    task.save()
    return to_out(task)


@app.get("/tasks/search", response_model=list[TaskOut])
async def search_tasks(q: str = Query(..., min_length=2), user: TokenUser = Depends(get_current_user)):
    hits = []
    for task in Task.scan(Task.title.contains(q)):
        if task.owner_id == user.sub:
            hits.append(to_out(task))
    return hits


@app.get("/tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: str = TaskId, user: TokenUser = Depends(get_current_user)):
    try:
        task = Task.get(task_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Task not found")
    if task.owner_id != user.sub:
        raise HTTPException(status_code=404, detail="Task not found")
    return to_out(task)


@app.patch("/tasks/{task_id}", response_model=TaskOut)
def update_task(body: TaskUpdate, task_id: str = TaskId, user: TokenUser = Depends(get_current_user)):
    try:
        task = Task.get(task_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Task not found")
    if task.owner_id != user.sub:
        raise HTTPException(status_code=404, detail="Task not found")
    actions = []
    if body.title is not None:
        actions.append(Task.title.set(body.title))
    if body.description is not None:
        actions.append(Task.description.set(body.description))
    if body.assignee is not None:
        actions.append(Task.assignee.set(body.assignee))
    if actions:
        task.update(actions=actions)
    return to_out(task)


@app.post("/tasks/{task_id}/status", response_model=TaskOut)
def change_status(body: StatusChange, task_id: str = TaskId, user: TokenUser = Depends(get_current_user)):
    try:
        task = Task.get(task_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Task not found")
    if task.owner_id != user.sub:
        raise HTTPException(status_code=404, detail="Task not found")
    try:
        task.update(
            actions=[Task.status.set(body.status)],
            condition=(Task.owner_id == user.sub),
        )
    except UpdateError:
        raise HTTPException(status_code=409, detail="Task changed, retry")
    return to_out(task)


@app.post("/tasks/{task_id}/complete", response_model=TaskOut)
def complete_task(task_id: str = TaskId, user: TokenUser = Depends(get_current_user)):
    task = Task(task_id)
    try:
        task.update(
            actions=[Task.status.set("done")],
            condition=(Task.owner_id == user.sub) & Task.status.is_in("doing", "review"),
        )
    except UpdateError:
        raise HTTPException(status_code=409, detail="Task cannot be completed")
    return to_out(task)


@app.delete("/tasks/{task_id}", status_code=204)
def delete_task(task_id: str, user: TokenUser = Depends(get_current_user)):
    try:
        task = Task.get(task_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Task not found")
    task.delete()


@app.get("/workspaces/{workspace_id}/tasks", response_model=list[TaskOut])
def workspace_tasks(workspace_id: str, limit: int = Query(50, le=200), user: TokenUser = Depends(get_current_user)):
    tasks = Task.by_workspace.query(workspace_id, limit=limit)
    return [to_out(t) for t in tasks]


@app.post("/workspaces", status_code=201)
def create_workspace(body: WorkspaceCreate, user: TokenUser = Depends(get_current_user)):
    ws = Workspace(body.slug, owner_id=user.sub, name=body.name)
    try:
        ws.save()
    except PutError:
        raise HTTPException(status_code=409, detail="Workspace slug taken")
    Member(body.slug, user.sub, role="admin").save()
    return {"workspace_id": ws.workspace_id}


@app.put("/workspaces/{workspace_id}")
def update_workspace(workspace_id: str = Path(..., max_length=40), body: WorkspaceUpdate = ..., user: TokenUser = Depends(get_current_user)):
    try:
        ws = Workspace.get(workspace_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Workspace not found")
    if ws.owner_id != user.sub:
        raise HTTPException(status_code=403, detail="Not the workspace owner")
    ws.name = body.name
    ws.plan = body.plan
    ws.save()
    return {"workspace_id": ws.workspace_id, "name": ws.name, "plan": ws.plan}


@app.post("/workspaces/{workspace_id}/members", status_code=201)
def add_member(body: MemberIn, workspace_id: str = Path(..., max_length=40), user: TokenUser = Depends(get_current_user)):
    try:
        ws = Workspace.get(workspace_id)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Workspace not found")
    if ws.owner_id != user.sub:
        raise HTTPException(status_code=404, detail="Workspace not found")
    Member(workspace_id, body.user_id, role=body.role).save()
    return {"workspace_id": workspace_id, "user_id": body.user_id, "role": body.role}


@app.delete("/admin/workspaces/{workspace_id}", status_code=204)
def admin_delete_workspace(workspace_id: str = Path(..., max_length=40), admin: TokenUser = Depends(require_admin)):
    try:
        Workspace.get(workspace_id).delete()
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Workspace not found")
