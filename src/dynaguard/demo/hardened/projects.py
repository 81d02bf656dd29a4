"""/projects routes of the hardened app."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.hardened.db import Db
from dynaguard.demo.hardened.models import ProjectCreate, ProjectOut, ProjectUpdate, Transfer
from dynaguard.demo.hardened.web import IfMatch, Uid, with_etag
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.guard.types import Item

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", response_model=ProjectOut, status_code=201)
async def create_project(
    body: ProjectCreate, user: CurrentUser, db: Db, response: Response
) -> Item:
    """Create a project: uuid id, create-only, owner and version set by the guard."""
    item = {"project_id": uuid.uuid4().hex, **body.model_dump()}
    return with_etag(response, await db.projects.create(item, owner=user))


@router.get("", response_model=list[ProjectOut])
async def list_projects(user: CurrentUser, db: Db) -> list[Item]:
    """The caller's projects (first 100): a Query on the owner index."""
    return (await db.projects.list(owner=user, index=OWNER_INDEX, limit=100)).items


@router.get("/{project_id}", response_model=ProjectOut)
async def read_project(project_id: Uid, user: CurrentUser, db: Db, response: Response) -> Item:
    """One project: 404 whether it is missing or someone else's (no existence oracle)."""
    return with_etag(response, await db.projects.get({"project_id": project_id}, owner=user))


@router.put("/{project_id}", response_model=ProjectOut)
async def update_project(
    project_id: Uid,
    body: ProjectUpdate,
    *,
    user: CurrentUser,
    db: Db,
    version: IfMatch,
    response: Response,
) -> Item:
    """Rename a project: the key is the path's, owner and version in the condition."""
    item = await db.projects.update(
        {"project_id": project_id}, body.model_dump(), owner=user, expected_version=version
    )
    return with_etag(response, item)


@router.delete("/{project_id}", status_code=204)
async def delete_project(project_id: Uid, user: CurrentUser, db: Db) -> Response:
    """Delete a project: one DeleteItem with the owner in its condition."""
    await db.projects.delete({"project_id": project_id}, owner=user)
    return Response(status_code=204)


@router.post("/{project_id}/transfer", response_model=ProjectOut)
async def transfer_project(
    project_id: Uid, body: Transfer, user: CurrentUser, db: Db, response: Response
) -> Item:
    """Give a project away, conditional on the caller still owning it."""
    item = await db.projects.transfer(
        {"project_id": project_id}, owner=user, new_owner=body.new_owner
    )
    return with_etag(response, item)
