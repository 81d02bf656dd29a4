"""/projects routes of the vulnerable app."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Path, Response

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.demo.vulnerable.db import projects
from dynaguard.demo.vulnerable.models import ProjectCreate, ProjectOut, ProjectUpdate, Transfer

router = APIRouter(prefix="/projects", tags=["projects"])

# Project ids are uuid4 hex, and the routes constrain them (but see the attachments).
ProjectId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.post("", response_model=ProjectOut, status_code=201)
def create_project(body: ProjectCreate, user: CurrentUser) -> Any:
    """Create a project owned by the caller."""
    item = {"project_id": uuid.uuid4().hex, "owner_id": user, **body.model_dump()}
    projects.put_item(Item=item, ConditionExpression="attribute_not_exists(project_id)")
    return item


@router.get("", response_model=list[ProjectOut])
def list_projects(user: CurrentUser) -> Any:
    """The caller's projects (a Query on the owner index, never a Scan)."""
    resp = projects.query(
        IndexName=OWNER_INDEX,
        KeyConditionExpression="owner_id = :me",
        ExpressionAttributeValues={":me": user},
    )
    return resp["Items"]


@router.get("/{project_id}", response_model=ProjectOut)
def read_project(project_id: ProjectId, user: CurrentUser) -> Any:
    """One project."""
    item = projects.get_item(Key={"project_id": project_id}).get("Item")  # expect: DG117
    if item is None:
        raise HTTPException(404, "project not found")
    # PLANT existence oracle: 403 for another user's project, 404 for a missing one,
    # so anyone can tell which ids exist. Probe: DG210.
    if item["owner_id"] != user:
        raise HTTPException(403, "not your project")
    return item


@router.put("/{project_id}", response_model=ProjectOut)
def update_project(project_id: ProjectId, body: ProjectUpdate, user: CurrentUser) -> Any:
    """Rename a project."""
    # PLANT path id vs body id: the path names one project, the body another, and the
    # body wins; ownership holds, but the route edits an object it was not called on.
    # Probe: DG206.
    try:
        resp = projects.update_item(  # expect: DG106, DG113
            Key={"project_id": body.project_id},
            UpdateExpression="SET #n = :n, description = :d",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":n": body.name, ":d": body.description, ":me": user},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise HTTPException(404, "project not found") from None
        raise
    return resp["Attributes"]


@router.delete("/{project_id}", status_code=204)
def delete_project(project_id: ProjectId, user: CurrentUser) -> Response:
    """Delete a project."""
    item = projects.get_item(Key={"project_id": project_id}).get("Item")
    if item is None or item["owner_id"] != user:
        raise HTTPException(404, "project not found")
    # PLANT check-then-act: ownership is checked on the read, and the delete's condition
    # does not re-assert it; a transfer landing in between is deleted anyway. No probe can
    # win that race from outside reliably; the guard's transfer race test measures it.
    projects.delete_item(  # expect: DG102
        Key={"project_id": project_id},
        ConditionExpression="attribute_exists(project_id)",
    )
    return Response(status_code=204)


@router.post("/{project_id}/transfer", response_model=ProjectOut)
def transfer_project(project_id: ProjectId, body: Transfer, user: CurrentUser) -> Any:
    """Give a project to another user."""
    item = projects.get_item(Key={"project_id": project_id}).get("Item")
    if item is None or item["owner_id"] != user:
        raise HTTPException(404, "project not found")
    # PLANT client method on a resource: transact_write_items exists on the client, not
    # on a Table; this route fails with a 500 for every caller. No probe (any 5xx).
    projects.transact_write_items(  # type: ignore[attr-defined]  # expect: DG116
        TransactItems=[
            {
                "Update": {
                    "TableName": projects.name,
                    "Key": {"project_id": {"S": project_id}},
                    "UpdateExpression": "SET owner_id = :new",
                    "ConditionExpression": "owner_id = :me",
                    "ExpressionAttributeValues": {
                        ":new": {"S": body.new_owner},
                        ":me": {"S": user},
                    },
                }
            }
        ]
    )
    return {**item, "owner_id": body.new_owner}
