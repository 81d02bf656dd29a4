from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status

from ..codec import from_item, n, s, to_item
from ..config import Settings
from ..deps import Account, current_account, get_ddb, get_settings
from ..schemas import BookingIn, BookingOut, Extension, Reschedule

router = APIRouter(prefix="/bookings", tags=["bookings"])


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


def _is_conflict(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


@router.post("", response_model=BookingOut, status_code=status.HTTP_201_CREATED)
async def create_booking(body: BookingIn, account: Account = Depends(current_account),
                         ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    if body.ends_at <= body.starts_at:
        raise HTTPException(422, "ends_at must be after starts_at")
    resource = await ddb.get_item(TableName=settings.resources_table,
                                  Key={"resource_id": s(body.resource_id)})
    if "Item" not in resource:
        raise HTTPException(404, "Unknown resource")
    booking = {
        "booking_id": str(uuid4()),
        "account_id": account.id,
        "resource_id": body.resource_id,
        "starts_at": body.starts_at.isoformat(),
        "ends_at": body.ends_at.isoformat(),
        "notes": body.notes,
        "status": "CONFIRMED",
        "version": 1,
        "created_at": utcnow(),
    }
    await ddb.put_item(TableName=settings.bookings_table, Item=to_item(booking),
                       ConditionExpression="attribute_not_exists(booking_id)")
    await ddb.put_item(
        TableName=settings.audit_table,
        Item={"event_id": str(uuid4()), "booking_id": booking["booking_id"],
              "account_id": account.id, "action": "created", "at": booking["created_at"]},
    )
    return booking


@router.get("", response_model=list[BookingOut])
async def list_bookings(account: Account = Depends(current_account), ddb=Depends(get_ddb),
                        settings: Settings = Depends(get_settings)):
    items, kwargs = [], {"TableName": settings.bookings_table}
    while True:
        page = await ddb.scan(**kwargs)
        items.extend(from_item(raw) for raw in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    mine = [b for b in items if b["account_id"] == account.id]
    return sorted(mine, key=lambda b: b["starts_at"])


@router.get("/{booking_id}", response_model=BookingOut)
async def get_booking(booking_id: UUID, account: Account = Depends(current_account),
                      ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    resp = await ddb.get_item(TableName=settings.bookings_table,
                              Key={"booking_id": s(str(booking_id))}, ConsistentRead=True)
    item = resp.get("Item")
    if item is None or item["account_id"]["S"] != account.id:
        raise HTTPException(404, "Booking not found")
    return from_item(item)


@router.post("/{booking_id}/cancel", response_model=BookingOut)
async def cancel_booking(booking_id: str, account: Account = Depends(current_account),
                         ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    resp = await ddb.get_item(TableName=settings.bookings_table, Key={"booking_id": s(booking_id)})
    if "Item" not in resp:
        raise HTTPException(404, "Booking not found")
    booking = from_item(resp["Item"])
    if booking["account_id"] != account.id:
        raise HTTPException(403, "This booking belongs to another account")
    if booking["status"] != "CONFIRMED":
        raise HTTPException(409, f"Booking is already {booking['status'].lower()}")
    updated = await ddb.update_item(
        TableName=settings.bookings_table,
        Key={"booking_id": s(booking_id)},
        UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
        ConditionExpression="attribute_exists(booking_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": s("CANCELLED"), ":now": s(utcnow())},
        ReturnValues="ALL_NEW",
    )
    return from_item(updated["Attributes"])


@router.patch("/{booking_id}", response_model=BookingOut)
async def reschedule_booking(booking_id: UUID, body: Reschedule,
                             account: Account = Depends(current_account), ddb=Depends(get_ddb),
                             settings: Settings = Depends(get_settings)):
    if body.ends_at <= body.starts_at:
        raise HTTPException(422, "ends_at must be after starts_at")
    try:
        updated = await ddb.update_item(
            TableName=settings.bookings_table,
            Key={"booking_id": s(str(booking_id))},
            UpdateExpression="SET starts_at = :start, ends_at = :end, #v = #v + :one",
            ConditionExpression="account_id = :me AND #v = :expected AND #s = :confirmed",
            ExpressionAttributeNames={"#v": "version", "#s": "status"},
            ExpressionAttributeValues={
                ":start": s(body.starts_at.isoformat()), ":end": s(body.ends_at.isoformat()),
                ":one": n(1), ":me": s(account.id), ":expected": n(body.version),
                ":confirmed": s("CONFIRMED"),
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if _is_conflict(exc):
            raise HTTPException(409, "Booking was changed or cannot be rescheduled") from exc
        raise
    return from_item(updated["Attributes"])


@router.delete("/{booking_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_booking(booking_id: UUID, account: Account = Depends(current_account),
                         ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    try:
        await ddb.delete_item(TableName=settings.bookings_table,
                              Key={"booking_id": s(str(booking_id))},
                              ConditionExpression="account_id = :me",
                              ExpressionAttributeValues={":me": s(account.id)})
    except ClientError as exc:
        if _is_conflict(exc):
            raise HTTPException(404, "Booking not found") from exc
        raise


@router.post("/{booking_id}/extend", response_model=BookingOut)
async def extend_booking(booking_id: UUID, body: Extension,
                         account: Account = Depends(current_account), ddb=Depends(get_ddb),
                         settings: Settings = Depends(get_settings)):
    resp = await ddb.get_item(TableName=settings.bookings_table,
                              Key={"booking_id": s(str(booking_id))})
    if "Item" not in resp:
        raise HTTPException(404, "Booking not found")
    booking = from_item(resp["Item"])
    new_end = datetime.fromisoformat(booking["ends_at"]) + timedelta(minutes=body.minutes)
    cost = -(-body.minutes // 15)
    await ddb.transact_write_items(TransactItems=[
        {"Update": {
            "TableName": settings.bookings_table,
            "Key": {"booking_id": s(str(booking_id))},
            "UpdateExpression": "SET ends_at = :end",
            "ConditionExpression": "attribute_exists(booking_id)",
            "ExpressionAttributeValues": {":end": s(new_end.isoformat())},
        }},
        {"Update": {
            "TableName": settings.accounts_table,
            "Key": {"account_id": s(account.id)},
            "UpdateExpression": "SET credit_balance = credit_balance - :cost",
            "ConditionExpression": "credit_balance >= :cost",
            "ExpressionAttributeValues": {":cost": n(cost)},
        }},
    ])
    booking["ends_at"] = new_end.isoformat()
    return booking
