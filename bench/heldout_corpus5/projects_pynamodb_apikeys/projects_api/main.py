"""Projects API: PynamoDB models, API keys with scopes."""
import secrets
from datetime import datetime, timezone
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from .auth import KeysAdmin, PlatformAdmin, ReadKey, WriteKey, hash_key
from .models import REGION, ApiKey, Export, Project, Usage

PROJECT_LIMIT = 50
EXPORT_LIMIT = 20

ProjectId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

app = FastAPI(title="projects-api")
projects = APIRouter(prefix="/projects", tags=["projects"])
keys = APIRouter(prefix="/keys", tags=["keys"])
admin = APIRouter(prefix="/admin", tags=["admin"])


def this_month() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m")


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)


class ProjectReplace(ProjectIn):
    version: int | None = None


class ProjectOut(BaseModel):
    project_id: str
    name: str
    description: str | None = None
    status: str
    version: int


class ExportOut(BaseModel):
    export_id: str
    project_id: str
    status: str


class UsageOut(BaseModel):
    month: str
    projects_created: int
    exports: int


class KeyIn(BaseModel):
    label: str = Field(max_length=80)
    scopes: list[str] = ["projects:read"]


def to_out(p: Project) -> ProjectOut:
    return ProjectOut(
        project_id=p.project_id,
        name=p.name,
        description=p.description,
        status=p.status,
        version=p.version,
    )


def load_owned(project_id: str, owner_id: str) -> Project:
    try:
        project = Project.get(project_id)
    except Project.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    if project.owner_id != owner_id or project.deleted_at is not None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    return project


@app.exception_handler(UpdateError)
def on_update_error(request, exc: UpdateError):
    return JSONResponse(status_code=409, content={"detail": "conflict, reload and retry"})


@app.exception_handler(PynamoDBException)
def on_pynamodb_error(request, exc: PynamoDBException):
    return JSONResponse(status_code=502, content={"detail": exc.msg})


@projects.post("", response_model=ProjectOut, status_code=201)
def create_project(body: ProjectIn, key: WriteKey):
    project = Project(
        project_id=uuid4().hex,
        owner_id=key.owner_id,
        name=body.name,
        description=body.description,
    )
    usage = Usage(key.owner_id, this_month())
    try:
        with TransactWrite(connection=Connection(region=REGION)) as tx:
            tx.update(
                usage,
                actions=[Usage.projects_created.add(1)],
                condition=(Usage.projects_created < PROJECT_LIMIT)
                | Usage.projects_created.does_not_exist(),
            )
            tx.save(project, condition=Project.project_id.does_not_exist())
    except TransactWriteError:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "monthly project quota reached")
    project.version = 1
    return to_out(project)


@projects.get("", response_model=list[ProjectOut])
def list_projects(key: ReadKey, limit: int = Query(50, le=100)):
    rows = Project.owner_index.query(
        key.owner_id,
        filter_condition=Project.deleted_at.does_not_exist(),
        limit=limit,
    )
    return [to_out(p) for p in rows]


@projects.get("/{project_id}", response_model=ProjectOut)
def get_project(project_id: ProjectId, key: ReadKey):
    return to_out(load_owned(project_id, key.owner_id))


@projects.get("/{project_id}/raw", response_model=None)
def download_project(project_id: ProjectId, key: ReadKey):
    project = load_owned(project_id, key.owner_id)
    return project.attribute_values


@projects.patch("/{project_id}", response_model=ProjectOut)
def rename_project(project_id: ProjectId, body: ProjectIn, key: WriteKey):
    project = load_owned(project_id, key.owner_id)
    # the version attribute adds "version = :current" to this condition
    project.update(
        actions=[Project.name.set(body.name), Project.description.set(body.description)],
        condition=(Project.owner_id == key.owner_id) & Project.deleted_at.does_not_exist(),
    )
    return to_out(project)


@projects.put("/{project_id}", response_model=ProjectOut)
def replace_project(project_id: ProjectId, body: ProjectReplace, key: WriteKey):
    # optimistic locking "for free": the client sends the version it read
    project = Project(project_id=project_id, owner_id=key.owner_id, **body.model_dump())
    project.save()
    return to_out(project)


@projects.post("/{project_id}/archive", response_model=ProjectOut)
def archive_project(project_id: ProjectId, key: WriteKey):
    project = load_owned(project_id, key.owner_id)
    project.update(
        actions=[Project.status.set("archived")],
        condition=(Project.owner_id == key.owner_id) & (Project.status == "active"),
    )
    return to_out(project)


@projects.delete("/{project_id}", status_code=204)
def delete_project(project_id: ProjectId, key: WriteKey):
    project = load_owned(project_id, key.owner_id)
    project.update(
        actions=[Project.deleted_at.set(datetime.now(timezone.utc))],
        condition=(Project.owner_id == key.owner_id) & Project.deleted_at.does_not_exist(),
    )


@projects.post("/{project_id}/restore", response_model=ProjectOut)
def undo_delete(project_id: ProjectId, key: WriteKey):
    try:
        project = Project.get(project_id)
    except Project.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    if project.owner_id != key.owner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    # the delete bumped the version; do not fail the undo on it
    project.update(
        actions=[Project.deleted_at.remove()],
        condition=Project.deleted_at.exists(),
        add_version_condition=False,
    )
    return to_out(project)


@projects.post("/{project_id}/exports", response_model=ExportOut, status_code=202)
def start_export(project_id: ProjectId, key: WriteKey):
    project = load_owned(project_id, key.owner_id)
    try:
        usage = Usage.get(key.owner_id, this_month())
    except Usage.DoesNotExist:
        usage = Usage(key.owner_id, this_month())
    if usage.exports >= EXPORT_LIMIT:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "monthly export quota reached")
    usage.exports = usage.exports + 1
    usage.save()
    job = Export(export_id=uuid4().hex, owner_id=key.owner_id, project_id=project.project_id)
    job.save()
    return ExportOut(export_id=job.export_id, project_id=job.project_id, status=job.status)


@app.post("/exports/{export_id}/cancel", response_model=ExportOut)
def cancel_export(export_id: str, key: WriteKey):
    try:
        job = Export.get(export_id)
    except Export.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "export not found")
    if job.owner_id != key.owner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "export not found")
    job.update(
        actions=[Export.status.set("cancelled")],
        condition=Export.owner_id == key.owner_id,
    )
    return ExportOut(export_id=job.export_id, project_id=job.project_id, status=job.status)


@app.get("/usage", response_model=UsageOut)
async def my_usage(key: ReadKey):
    try:
        usage = Usage.get(key.owner_id, this_month())
    except Usage.DoesNotExist:
        return UsageOut(month=this_month(), projects_created=0, exports=0)
    return UsageOut(
        month=usage.month, projects_created=usage.projects_created, exports=usage.exports
    )


@keys.post("", status_code=201)
def create_key(body: KeyIn, key: KeysAdmin) -> dict:
    raw = "pk_" + secrets.token_urlsafe(32)
    ApiKey(
        key_hash=hash_key(raw),
        owner_id=key.owner_id,
        label=body.label,
        scopes=set(body.scopes),
    ).save()
    return {"api_key": raw, "label": body.label, "scopes": sorted(body.scopes)}


@keys.delete("/current", status_code=204)
def revoke_current_key(key: ReadKey):
    key.update(
        actions=[ApiKey.revoked.set(True)],
        condition=ApiKey.key_hash.exists(),
    )


@admin.get("/projects", response_model=list[ProjectOut])
def all_projects(_: PlatformAdmin, limit: int = Query(100, le=500)):
    return [to_out(p) for p in Project.scan(limit=limit)]


@admin.post("/owners/{owner_id}/purge", status_code=204)
def purge_owner(owner_id: Annotated[str, Path(max_length=64)], _: PlatformAdmin):
    with Project.batch_write() as batch:
        for project in Project.owner_index.query(owner_id):
            batch.delete(project)


app.include_router(projects)
app.include_router(keys)
app.include_router(admin)
