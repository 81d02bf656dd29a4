import logging
from datetime import date, datetime

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query
from typing import List

from ..db import resources, slots
from ..schemas import ResourceId, ResourceOut, ResourceUpdate, SlotAdminOut, StatusChange
from ..security import User, require_ops, verify_cron
from ..slots import now_epoch, now_iso, slot_key

log = logging.getLogger(__name__)

router = APIRouter(prefix="/ops", tags=["ops"], dependencies=[Depends(require_ops)])
jobs = APIRouter(prefix="/internal/jobs", tags=["jobs"], dependencies=[Depends(verify_cron)])


@router.get("/slots", response_model=List[SlotAdminOut])
def all_slots(day: date = Query(...)):
    kwargs = {"FilterExpression": Attr("slot_start").begins_with(day.isoformat())}
    items = []
    while True:
        resp = slots.scan(**kwargs)
        items.extend(resp.get("Items", []))
        if "LastEvaluatedKey" not in resp:
            break
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    return sorted(items, key=lambda s: (s["resource_id"], s["slot_start"]))


@router.put("/resources/{resource_id}", response_model=ResourceOut)
def update_resource(resource_id: ResourceId, body: ResourceUpdate,
                    staff: User = Depends(require_ops)):
    try:
        resp = resources.update_item(
            Key={"resource_id": resource_id},
            UpdateExpression="SET name = :n, capacity = :c, location = :l, updated_by = :by",
            ConditionExpression="attribute_exists(resource_id)",
            ExpressionAttributeValues={":n": body.name, ":c": body.capacity,
                                       ":l": body.location, ":by": staff.id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Resource not found")
        raise
    return resp["Attributes"]


@router.post("/slots/{resource_id}/{slot_start}/status", response_model=SlotAdminOut)
def set_slot_status(resource_id: ResourceId, slot_start: datetime, body: StatusChange,
                    staff: User = Depends(require_ops)):
    try:
        resp = slots.update_item(
            Key={"resource_id": resource_id, "slot_start": slot_key(slot_start)},
            UpdateExpression="SET #s = :s, status_reason = :r, status_by = :by",
            ConditionExpression="attribute_exists(slot_start)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": body.status, ":r": body.reason, ":by": staff.id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Slot not found")
        raise
    log.info("slot %s/%s set to %s by %s", resource_id, slot_start, body.status, staff.id)
    return resp["Attributes"]


@jobs.post("/expire-holds")
def expire_holds():
    """Called nightly by the scheduler: drops holds that were never confirmed."""
    kwargs = {
        "FilterExpression": Attr("status").eq("held") & Attr("hold_expires_at").lt(now_epoch()),
        "ProjectionExpression": "resource_id, slot_start",
    }
    removed = 0
    while True:
        resp = slots.scan(**kwargs)
        for item in resp.get("Items", []):
            slots.delete_item(
                Key={"resource_id": item["resource_id"], "slot_start": item["slot_start"]}
            )
            removed += 1
        if "LastEvaluatedKey" not in resp:
            break
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    log.info("expired %d holds at %s", removed, now_iso())
    return {"removed": removed}
