from __future__ import annotations

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, status
from starlette.concurrency import run_in_threadpool

from .. import repository as repo
from ..auth import CurrentUser, get_current_user, require_admin
from ..config import notifications_table, profiles_table
from ..items import NotificationId, PlanChange, ProfileOut, ProfileUpdate

router = APIRouter(prefix="/v1", tags=["account"])
admin = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("/profile", response_model=ProfileOut)
async def read_profile(user: CurrentUser = Depends(get_current_user)) -> ProfileOut:
    profile = await run_in_threadpool(repo.get_profile, profiles_table(), user.sub)
    if profile is None:
        return ProfileOut(user_id=user.sub, email=user.email)
    return ProfileOut.model_validate(profile)


@router.put("/profile", response_model=ProfileOut)
async def replace_profile(
    payload: ProfileUpdate, user: CurrentUser = Depends(get_current_user)
) -> ProfileOut:
    item = {
        **payload.model_dump(exclude_none=True),
        "user_id": user.sub,
        "email": user.email,
        "updated_at": repo.utcnow(),
    }
    await run_in_threadpool(profiles_table().put_item, Item=item)
    return ProfileOut.model_validate(item)


@router.delete("/notifications/{notification_id}", status_code=204)
async def dismiss_notification(
    notification_id: NotificationId,  # type: ignore[valid-type]
    user: CurrentUser = Depends(get_current_user),
) -> None:
    try:
        await run_in_threadpool(
            notifications_table().delete_item,
            Key={"user_id": user.sub, "notification_id": notification_id},
            ConditionExpression="attribute_exists(notification_id)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Notification not found")
        raise


@admin.put("/users/{user_id}/plan", response_model=ProfileOut)
async def set_plan(
    payload: PlanChange,
    user_id: str = Path(..., pattern=r"^[A-Za-z0-9|_-]{6,64}$"),
    staff: CurrentUser = Depends(require_admin),
) -> ProfileOut:
    try:
        resp = await run_in_threadpool(
            profiles_table().update_item,
            Key={"user_id": user_id},
            UpdateExpression="SET #p = :p, plan_changed_by = :by, updated_at = :now",
            ConditionExpression="attribute_exists(user_id)",
            ExpressionAttributeNames={"#p": "plan"},
            ExpressionAttributeValues={
                ":p": payload.plan,
                ":by": staff.sub,
                ":now": repo.utcnow(),
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="No such user")
        raise
    return ProfileOut.model_validate(resp["Attributes"])
