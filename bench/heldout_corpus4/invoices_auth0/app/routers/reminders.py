from uuid import uuid4

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from app.auth import Principal, require_user
from app.db.dynamo import table, tenant_pk
from app.models import ReminderId, ReminderIn, ReminderOut

# Personal reminders: visible to their author only, not to the rest of the organization.
router = APIRouter(prefix="/reminders", tags=["reminders"], dependencies=[Depends(require_user)])


def _key(org_id: str, reminder_id: str) -> dict:
    return {"pk": tenant_pk(org_id), "sk": f"REMINDER#{reminder_id}"}


@router.post("", response_model=ReminderOut, status_code=201)
def create_reminder(body: ReminderIn, user: Principal = Depends(require_user)):
    reminder_id = uuid4().hex
    item = {
        **body.model_dump(mode="json"),
        **_key(user.org_id, reminder_id),
        "reminder_id": reminder_id,
        "owner_sub": user.sub,
    }
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
    return item


@router.get("/{reminder_id}", response_model=ReminderOut)
def get_reminder(reminder_id: ReminderId, user: Principal = Depends(require_user)):
    item = table().get_item(Key=_key(user.org_id, reminder_id)).get("Item")
    if item is None:
        raise HTTPException(404, "reminder not found")
    if item["owner_sub"] != user.sub:
        raise HTTPException(403, "this reminder belongs to someone else")
    return item


@router.delete("/{reminder_id}", status_code=204)
def delete_reminder(reminder_id: ReminderId, user: Principal = Depends(require_user)):
    try:
        table().delete_item(
            Key=_key(user.org_id, reminder_id),
            ConditionExpression="owner_sub = :me",
            ExpressionAttributeValues={":me": user.sub},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "reminder not found")
        raise
