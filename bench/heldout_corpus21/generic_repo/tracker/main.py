from typing import Annotated
from uuid import UUID

from fastapi import Depends, FastAPI, Query, Response, status
from starlette.concurrency import run_in_threadpool

from .models import (
    CommentCreate, CommentEdit, CommentId, CommentOut, CustomField, ProjectCreate,
    ProjectOut, ProjectRename, ProjectUpdate, StatusChange, TaskCreate, TaskId, TaskMove,
    TaskOut, TaskUpdate,
)
from .services import CommentService, ProjectService, TaskService

app = FastAPI(title="Tracker API", version="0.9.0")

ProjectSvc = Annotated[ProjectService, Depends()]
TaskSvc = Annotated[TaskService, Depends()]
CommentSvc = Annotated[CommentService, Depends()]


@app.get("/healthz", include_in_schema=False)
def healthz() -> dict:
    return {"status": "ok"}


# --- projects ----------------------------------------------------------------

@app.post("/projects", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, svc: ProjectSvc):
    return svc.create(body)


@app.get("/projects/{project_id}", response_model=ProjectOut)
async def get_project(project_id: UUID, svc: ProjectService = Depends()):
    return svc.get(project_id)


@app.patch("/projects/{project_id}", response_model=ProjectOut)
def update_project(project_id: UUID, body: ProjectUpdate, svc: ProjectSvc):
    return svc.update(project_id, body)


@app.put("/projects/{project_id}/name", status_code=status.HTTP_204_NO_CONTENT)
def rename_project(project_id: UUID, body: ProjectRename, svc: ProjectSvc) -> Response:
    svc.rename(project_id, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_project(project_id: UUID, svc: ProjectSvc) -> Response:
    svc.delete(project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- tasks -------------------------------------------------------------------

@app.get("/projects/{project_id}/tasks", response_model=list[TaskOut])
def list_tasks(project_id: UUID, svc: TaskSvc):
    return svc.list(project_id)


@app.post("/projects/{project_id}/tasks", response_model=TaskOut, status_code=status.HTTP_201_CREATED)
def create_task(project_id: UUID, body: TaskCreate, svc: TaskSvc):
    return svc.create(project_id, body)


@app.get("/projects/{project_id}/tasks/{task_id}", response_model=TaskOut)
def get_task(project_id: UUID, task_id: str, svc: TaskSvc):
    return svc.get(project_id, task_id)


@app.put("/projects/{project_id}/tasks/{task_id}", response_model=TaskOut)
def update_task(project_id: UUID, task_id: TaskId, body: TaskUpdate, svc: TaskSvc):
    return svc.update(project_id, task_id, body)


@app.post("/projects/{project_id}/tasks/{task_id}/status", response_model=TaskOut)
async def change_task_status(project_id: UUID, task_id: TaskId, body: StatusChange, svc: TaskSvc):
    return svc.change_status(project_id, task_id, body)


@app.put("/projects/{project_id}/tasks/{task_id}/fields", response_model=TaskOut)
def set_task_field(project_id: UUID, task_id: TaskId, body: CustomField, svc: TaskSvc):
    return svc.set_custom_field(project_id, task_id, body)


@app.post("/projects/{project_id}/tasks/{task_id}/move", response_model=TaskOut)
def move_task(project_id: UUID, task_id: TaskId, body: TaskMove, svc: TaskSvc):
    return svc.move(project_id, task_id, body)


@app.delete("/projects/{project_id}/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(project_id: UUID, task_id: TaskId, svc: TaskSvc) -> Response:
    await run_in_threadpool(svc.delete, project_id, task_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.get("/tasks/search", response_model=list[TaskOut])
def search_tasks(svc: TaskSvc, q: str = Query(min_length=2, max_length=100)):
    return svc.search(q)


# --- comments ----------------------------------------------------------------

@app.post("/projects/{project_id}/tasks/{task_id}/comments", response_model=CommentOut, status_code=201)
def add_comment(project_id: UUID, task_id: TaskId, body: CommentCreate, svc: CommentSvc):
    return svc.add(project_id, task_id, body)


@app.put("/projects/{project_id}/tasks/{task_id}/comments/{comment_id}", response_model=CommentOut)
def edit_comment(project_id: UUID, task_id: TaskId, comment_id: CommentId, body: CommentEdit, svc: CommentSvc):
    return svc.edit(project_id, task_id, body)
