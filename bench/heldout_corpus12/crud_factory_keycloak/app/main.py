"""Workbench API: projects, bookmarks and outgoing webhooks for a Keycloak realm."""
from datetime import datetime, timezone
from typing import List

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Path, status

from . import db
from .auth import KeycloakUser, get_current_user, require_admin
from .crud import ID_PATTERN, crud_router
from .models import (
    BookmarkCreate,
    BookmarkOut,
    BookmarkUpdate,
    PlanIn,
    ProfilePatch,
    ProjectCreate,
    ProjectImport,
    ProjectOut,
    ProjectUpdate,
    TemplateOut,
    TransferIn,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
)

app = FastAPI(
    title="Workbench API",
    swagger_ui_init_oauth={"clientId": "workbench-api", "usePkceWithAuthorizationCodeGrant": True},
)

app.include_router(
    crud_router(
        ProjectOut,
        db.PROJECTS_TABLE,
        create_schema=ProjectCreate,
        update_schema=ProjectUpdate,
        prefix="/projects",
        owner_field="owner_id",
        owner_index="owner_id-index",
    )
)
app.include_router(
    crud_router(
        BookmarkOut,
        db.BOOKMARKS_TABLE,
        create_schema=BookmarkCreate,
        update_schema=BookmarkUpdate,
        prefix="/bookmarks",
        owner_field="owner_id",
        owner_index="owner_id-index",
    )
)
app.include_router(
    crud_router(
        WebhookOut,
        db.WEBHOOKS_TABLE,
        create_schema=WebhookCreate,
        update_schema=WebhookUpdate,
        prefix="/webhooks",
    )
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


# -- hand-written routes beside the generated ones ---------------------------

@app.get("/templates", response_model=List[TemplateOut], tags=["catalogue"])
def list_templates():
    """Project templates are the same for everyone (seeded by the ops team)."""
    resp = db.templates.scan(Limit=100)
    return [TemplateOut.parse_obj(t) for t in resp.get("Items", [])]


@app.post("/bookmarks/{bookmark_id}/click", status_code=204, tags=["bookmarks"])
def count_click(
    bookmark_id: str = Path(..., regex=ID_PATTERN),
    user: KeycloakUser = Depends(get_current_user),
):
    try:
        db.bookmarks.update_item(
            Key={"id": bookmark_id},
            UpdateExpression="ADD click_count :one",
            ConditionExpression="attribute_exists(id) AND owner_id = :me",
            ExpressionAttributeValues={":one": 1, ":me": user.sub},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "bookmark not found")
        raise


@app.get("/projects/{project_id}/summary", tags=["projects"])
async def project_summary(project_id: str, user: KeycloakUser = Depends(get_current_user)):
    item = db.projects.get_item(Key={"id": project_id}).get("Item")
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    if item["owner_id"] != user.sub:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your project")
    return {"project": item, "generated_at": _now()}


@app.post("/projects/{project_id}/archive", response_model=ProjectOut, tags=["projects"])
def archive_project(
    project_id: str = Path(..., regex=ID_PATTERN),
    user: KeycloakUser = Depends(get_current_user),
):
    try:
        resp = db.projects.update_item(
            Key={"id": project_id},
            UpdateExpression="SET #st = :archived, archived_at = :now",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":archived": "archived", ":now": _now(), ":me": user.sub},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
        raise
    return ProjectOut.parse_obj(resp["Attributes"])


@app.post("/projects/{project_id}/transfer", response_model=ProjectOut, tags=["projects"])
def transfer_project(
    body: TransferIn,
    project_id: str = Path(..., regex=ID_PATTERN),
    user: KeycloakUser = Depends(get_current_user)
):
    item = db.projects.get_item(Key={"id": project_id}).get("Item")
    if item is None or item["owner_id"] != user.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    resp = db.projects.update_item(
        Key={"id": project_id},
        UpdateExpression="SET owner_id = :new, transferred_at = :now",
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeValues={":new": body.new_owner_id, ":now": _now()},
        ReturnValues="ALL_NEW",
    )
    return ProjectOut.parse_obj(resp["Attributes"])


@app.get("/me/profile", tags=["profile"])
def my_profile(user: KeycloakUser = Depends(get_current_user)):
    item = db.profiles.get_item(Key={"user_id": user.sub}).get("Item") or {}
    return {
        "user_id": user.sub,
        "username": user.username,
        "name": item.get("name", user.username),
        "bio": item.get("bio", ""),
        "plan": item.get("plan", "free"),
        "roles": user.roles,
    }


@app.patch("/me/profile", status_code=204, tags=["profile"])
def patch_profile(body: ProfilePatch, user: KeycloakUser = Depends(get_current_user)):
    db.profiles.update_item(
        Key={"user_id": user.sub},
        UpdateExpression="SET name = :n, bio = :b, updated_at = :now",
        ConditionExpression="attribute_exists(user_id)",
        ExpressionAttributeValues={":n": body.name, ":b": body.bio, ":now": _now()},
    )


# -- realm admins --------------------------------------------------------------

@app.get("/admin/projects", response_model=List[ProjectOut], tags=["admin"])
def all_projects(_: KeycloakUser = Depends(require_admin)):
    items, kwargs = [], {}
    while True:
        resp = db.projects.scan(**kwargs)
        items.extend(resp.get("Items", []))
        if "LastEvaluatedKey" not in resp:
            break
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    return [ProjectOut.parse_obj(i) for i in items]


@app.post("/admin/projects/import", status_code=202, tags=["admin"])
def import_projects(rows: List[ProjectImport], _: KeycloakUser = Depends(require_admin)):
    with db.projects.batch_writer(overwrite_by_pkeys=["id"]) as batch:
        for row in rows:
            item = row.dict()
            item["created_at"] = row.created_at.isoformat()
            item.setdefault("status", "active")
            item["version"] = 1
            batch.put_item(Item=item)
    return {"imported": len(rows)}


@app.put("/admin/profiles/{user_id}/plan", status_code=204, tags=["admin"])
def set_plan(user_id: str, body: PlanIn, _: KeycloakUser = Depends(require_admin)):
    db.profiles.update_item(
        Key={"user_id": user_id},
        UpdateExpression="SET #p = :plan",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":plan": body.plan},
    )
