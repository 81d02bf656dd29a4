from typing import Annotated, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from .db import installations, reminders, workspace_settings
from .schemas import (
    REMINDER_ID,
    USER_ID,
    AdminGrant,
    ReminderIn,
    ReminderOut,
    WorkspaceSettingsOut,
    WorkspaceSettingsUpdate,
)
from .security import AdminSession, current_admin

router = APIRouter(prefix="/admin/api", tags=["admin"])

Admin = Annotated[AdminSession, Depends(current_admin)]
ReminderId = Annotated[str, Path(pattern=REMINDER_ID)]


@router.get("/workspace", response_model=WorkspaceSettingsOut)
def get_workspace(admin: Admin) -> Any:
    item = workspace_settings.get_item(Key={"team_id": admin.team_id}).get("Item")
    if not item:
        raise HTTPException(status_code=404, detail="workspace not found")
    return item


@router.patch("/workspace", response_model=WorkspaceSettingsOut)
def update_workspace(body: WorkspaceSettingsUpdate, admin: Admin) -> Any:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status_code=400, detail="nothing to update")
    resp = workspace_settings.update_item(
        Key={"team_id": admin.team_id},
        UpdateExpression="SET "
        + ", ".join(f"#{k} = :{k}" for k in changes)
        + ", updated_by = :by",
        ConditionExpression="attribute_exists(team_id)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={**{f":{k}": v for k, v in changes.items()}, ":by": admin.user_id},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.get("/reminders")
def list_team_reminders(
    admin: Admin,
    user_id: str | None = Query(default=None, pattern=USER_ID),
    fields: str | None = Query(default=None, description="comma-separated attributes"),
    cursor: str | None = Query(default=None, pattern=REMINDER_ID),
):
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("team_id").eq(admin.team_id),
        "Limit": 100,
    }
    if user_id:
        kwargs["FilterExpression"] = Attr("user_id").eq(user_id)
    if fields:
        names = [f.strip() for f in fields.split(",") if f.strip()]
        kwargs["ProjectionExpression"] = ", ".join(f"#f{i}" for i in range(len(names)))
        kwargs["ExpressionAttributeNames"] = {f"#f{i}": n for i, n in enumerate(names)}
    if cursor:
        kwargs["ExclusiveStartKey"] = {"team_id": admin.team_id, "reminder_id": cursor}
    resp = reminders.query(**kwargs)
    next_cursor = resp.get("LastEvaluatedKey", {}).get("reminder_id")
    return {"items": resp["Items"], "next_cursor": next_cursor}


@router.put("/reminders/{reminder_id}", response_model=ReminderOut)
def replace_reminder(reminder_id: ReminderId, body: ReminderIn, admin: Admin) -> Any:
    existing = reminders.get_item(
        Key={"team_id": admin.team_id, "reminder_id": reminder_id}
    ).get("Item")
    if not existing:
        raise HTTPException(status_code=404, detail="reminder not found")
    item = {
        **existing,
        **body.model_dump(),
        "team_id": admin.team_id,
        "updated_by": admin.user_id,
    }
    reminders.put_item(Item=item)
    return item


@router.delete("/reminders/{reminder_id}", status_code=204)
def delete_reminder(reminder_id: ReminderId, admin: Admin) -> None:
    try:
        reminders.delete_item(
            Key={"team_id": admin.team_id, "reminder_id": reminder_id},
            ConditionExpression="attribute_exists(reminder_id)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="reminder not found")
        raise


@router.post("/admins", status_code=204)
def add_admin(body: AdminGrant, admin: Admin) -> None:
    try:
        installations.update_item(
            Key={"team_id": admin.team_id},
            UpdateExpression="SET admin_user_ids = list_append(admin_user_ids, :new)",
            ConditionExpression="attribute_exists(team_id) AND NOT contains(admin_user_ids, :uid)",
            ExpressionAttributeValues={":new": [body.user_id], ":uid": body.user_id},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
