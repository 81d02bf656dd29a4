import uuid
from datetime import date, datetime, timedelta, timezone
from typing import List

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query

from ..db import USER_INDEX, resources, slots, waitlist
from ..schemas import (
    BookingOut,
    BookingUpdate,
    HoldRequest,
    MoveRequest,
    RecurringRequest,
    ResourceId,
    ResourceOut,
    SlotPublic,
    TransferRequest,
    WaitlistJoin,
)
from ..security import User, get_current_user
from ..slots import (
    CANCEL_WINDOW,
    HOLD_SECONDS,
    get_slot,
    day_slots,
    load_resource,
    now_epoch,
    now_iso,
    parse_key,
    slot_end,
    slot_key,
)

router = APIRouter(tags=["bookings"])


@router.get("/resources", response_model=List[ResourceOut])
def list_resources():
    resp = resources.scan(FilterExpression=Attr("active").ne(False))
    return resp.get("Items", [])


@router.get("/resources/{resource_id}/availability", response_model=List[SlotPublic])
def availability(resource_id: ResourceId, day: date = Query(...)):
    load_resource(resource_id)
    return [
        SlotPublic(slot_start=s["slot_start"], status=s["status"])
        for s in day_slots(resource_id, day.isoformat())
        if s["status"] != "cancelled"
    ]


@router.post("/resources/{resource_id}/holds", response_model=BookingOut, status_code=201)
def hold_slot(resource_id: ResourceId, body: HoldRequest,
              user: User = Depends(get_current_user)):
    load_resource(resource_id)
    if body.slot_start <= datetime.now(timezone.utc):
        raise HTTPException(status_code=422, detail="Slot is in the past")
    item = {
        "resource_id": resource_id,
        "slot_start": slot_key(body.slot_start),
        "slot_end": slot_end(body.slot_start),
        "user_id": user.id,
        "status": "held",
        "hold_expires_at": now_epoch() + HOLD_SECONDS,
        "created_at": now_iso(),
    }
    try:
        slots.put_item(
            Item=item,
            ConditionExpression=(
                "attribute_not_exists(slot_start) OR #s = :cancelled "
                "OR (#s = :held AND hold_expires_at < :now)"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": "cancelled", ":held": "held",
                                       ":now": now_epoch()},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Slot is already taken")
        raise
    return item


@router.post("/bookings/{resource_id}/{slot_start}/confirm", response_model=BookingOut)
def confirm_hold(resource_id: ResourceId, slot_start: datetime,
                 user: User = Depends(get_current_user)):
    try:
        resp = slots.update_item(
            Key={"resource_id": resource_id, "slot_start": slot_key(slot_start)},
            UpdateExpression="SET #s = :confirmed, confirmed_at = :at REMOVE hold_expires_at",
            ConditionExpression="user_id = :me AND #s = :held AND hold_expires_at > :now",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":confirmed": "confirmed", ":held": "held",
                                       ":me": user.id, ":now": now_epoch(), ":at": now_iso()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status_code=409, detail=e.response["Error"]["Message"])
    return resp["Attributes"]


@router.post("/bookings/recurring", response_model=List[BookingOut], status_code=201)
def book_recurring(body: RecurringRequest, user: User = Depends(get_current_user)):
    load_resource(body.resource_id)
    booked = []
    for week in range(body.weeks):
        start = body.first_start + timedelta(weeks=week)
        item = {
            "resource_id": body.resource_id,
            "slot_start": slot_key(start),
            "slot_end": slot_end(start),
            "user_id": user.id,
            "status": "confirmed",
            "series": f"{slot_key(body.first_start)}x{body.weeks}",
            "notes": body.notes,
            "created_at": now_iso(),
        }
        slots.put_item(Item=item)
        booked.append(item)
    return booked


@router.get("/me/bookings", response_model=List[BookingOut])
def my_bookings(user: User = Depends(get_current_user)):
    kwargs = {"IndexName": USER_INDEX, "KeyConditionExpression": Key("user_id").eq(user.id)}
    items = []
    while True:
        resp = slots.query(**kwargs)
        items.extend(resp.get("Items", []))
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@router.patch("/bookings/{resource_id}/{slot_start}", response_model=BookingOut)
def update_booking(resource_id: ResourceId, slot_start: datetime, body: BookingUpdate,
                   user: User = Depends(get_current_user)):
    key = {"resource_id": resource_id, "slot_start": slot_key(slot_start)}
    slot = slots.get_item(Key=key).get("Item")
    if slot is None:
        raise HTTPException(status_code=404, detail="Booking not found")
    if slot["user_id"] != user.id:
        raise HTTPException(status_code=403, detail="This booking belongs to someone else")
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        return slot
    resp = slots.update_item(
        Key=key,
        UpdateExpression="SET " + ", ".join(f"{k} = :{k}" for k in changes),
        ConditionExpression="user_id = :me",
        ExpressionAttributeValues={**{f":{k}": v for k, v in changes.items()}, ":me": user.id},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.delete("/bookings/{resource_id}/{slot_start}", status_code=204)
def cancel_booking(resource_id: ResourceId, slot_start: datetime,
                   user: User = Depends(get_current_user)):
    key = {"resource_id": resource_id, "slot_start": slot_key(slot_start)}
    slot = get_slot(resource_id, key["slot_start"])
    if slot is None or slot["user_id"] != user.id:
        raise HTTPException(status_code=404, detail="Booking not found")
    if slot["status"] != "confirmed":
        raise HTTPException(status_code=409, detail="Only confirmed bookings can be cancelled")
    if parse_key(slot["slot_start"]) - datetime.now(timezone.utc) < CANCEL_WINDOW:
        raise HTTPException(status_code=409, detail="Too late to cancel this booking")
    try:
        slots.update_item(
            Key=key,
            UpdateExpression="SET #s = :cancelled, cancelled_at = :at",
            ConditionExpression="user_id = :me AND #s = :confirmed",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": "cancelled", ":confirmed": "confirmed",
                                       ":me": user.id, ":at": now_iso()},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Booking changed, try again")
        raise


@router.post("/bookings/{resource_id}/{slot_start}/transfer", response_model=BookingOut)
def transfer_booking(resource_id: ResourceId, slot_start: datetime, body: TransferRequest,
                     user: User = Depends(get_current_user)):
    slot = get_slot(resource_id, slot_key(slot_start))
    if slot is None or slot["user_id"] != user.id:
        raise HTTPException(status_code=404, detail="Booking not found")
    if slot["status"] != "confirmed":
        raise HTTPException(status_code=409, detail="Only confirmed bookings can be transferred")
    resp = slots.update_item(
        Key={"resource_id": resource_id, "slot_start": slot["slot_start"]},
        UpdateExpression="SET user_id = :to, transferred_from = :me, transferred_at = :at",
        ConditionExpression="attribute_exists(slot_start)",
        ExpressionAttributeValues={":to": body.to_user_id, ":me": user.id, ":at": now_iso()},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.post("/bookings/move", response_model=BookingOut)
def move_booking(body: MoveRequest, user: User = Depends(get_current_user)):
    load_resource(body.target.resource_id)
    target = {
        "resource_id": body.target.resource_id,
        "slot_start": slot_key(body.target.slot_start),
        "slot_end": slot_end(body.target.slot_start),
        "user_id": user.id,
        "status": "confirmed",
        "created_at": now_iso(),
    }
    try:
        slots.meta.client.transact_write_items(
            TransactItems=[
                {"Delete": {
                    "TableName": slots.name,
                    "Key": {"resource_id": body.source.resource_id,
                            "slot_start": slot_key(body.source.slot_start)},
                    "ConditionExpression": "#s = :confirmed",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":confirmed": "confirmed"},
                }},
                {"Put": {
                    "TableName": slots.name,
                    "Item": target,
                    "ConditionExpression": "attribute_not_exists(slot_start)",
                }},
            ]
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="Could not move the booking")
        raise
    return target


@router.post("/resources/{resource_id}/waitlist", status_code=202)
def join_waitlist(resource_id: ResourceId, body: WaitlistJoin):
    load_resource(resource_id)
    waitlist.put_item(Item={
        "resource_id": resource_id,
        "entry_id": f"{body.day.isoformat()}#{uuid.uuid4().hex}",
        "email": body.email.lower(),
        "day": body.day.isoformat(),
        "created_at": now_iso(),
    })
    return {"queued": True}
