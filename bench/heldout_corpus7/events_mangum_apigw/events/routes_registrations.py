from datetime import UTC, datetime

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Query

from .aws import EVENTS_TABLE, REGISTRATIONS_TABLE, Events, Registrations, conditional_failed
from .identity import CallerDep
from .models import AttendeeSub, EventId, RegistrationOut, RegistrationPatch, decode_cursor, encode_cursor

router = APIRouter(prefix="/events/{event_id}/registrations", tags=["registrations"])


@router.post("", response_model=RegistrationOut, status_code=201)
async def register(event_id: EventId, me: CallerDep, registrations: Registrations):
    registration = {
        "event_id": event_id,
        "attendee_sub": me.sub,
        "status": "CONFIRMED",
        "tier": "general",
        "display_name": me.email.split("@")[0],
        "registered_at": datetime.now(UTC).isoformat(),
    }
    try:
        await registrations.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": EVENTS_TABLE,
                        "Key": {"event_id": event_id},
                        "UpdateExpression": "ADD seats_taken :one",
                        "ConditionExpression": "#s = :published AND seats_taken < #c",
                        "ExpressionAttributeNames": {"#s": "status", "#c": "capacity"},
                        "ExpressionAttributeValues": {":one": 1, ":published": "PUBLISHED"},
                    }
                },
                {
                    "Put": {
                        "TableName": REGISTRATIONS_TABLE,
                        "Item": registration,
                        "ConditionExpression": "attribute_not_exists(attendee_sub)",
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="sold out, not open or already registered") from exc
        raise
    return registration


@router.get("")
async def list_registrations(
    event_id: str,
    me: CallerDep,
    registrations: Registrations,
    cursor: str | None = Query(None, max_length=1024),
):
    """Organizer's attendee list (badges, catering numbers)."""
    kwargs = {"KeyConditionExpression": Key("event_id").eq(event_id), "Limit": 100}
    if start := decode_cursor(cursor):
        kwargs["ExclusiveStartKey"] = start
    resp = await registrations.query(**kwargs)
    return {"items": resp["Items"], "cursor": encode_cursor(resp.get("LastEvaluatedKey"))}


@router.patch("/me", response_model=RegistrationOut)
async def update_my_registration(
    event_id: EventId, body: RegistrationPatch, me: CallerDep, registrations: Registrations
):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(status_code=400, detail="nothing to change")
    try:
        resp = await registrations.update_item(
            Key={"event_id": event_id, "attendee_sub": me.sub},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
            ConditionExpression="attribute_exists(attendee_sub)",
            ExpressionAttributeNames={f"#{k}": k for k in changes},
            ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if conditional_failed(exc):
            raise HTTPException(status_code=404, detail="not registered") from exc
        raise
    return resp["Attributes"]


@router.delete("/{attendee_sub}", status_code=204)
async def cancel_registration(
    event_id: EventId, attendee_sub: AttendeeSub, me: CallerDep, registrations: Registrations
):
    """Attendees cancel their own seat; organizers remove no-shows."""
    try:
        await registrations.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": REGISTRATIONS_TABLE,
                        "Key": {"event_id": event_id, "attendee_sub": attendee_sub},
                        "UpdateExpression": "SET #s = :cancelled",
                        "ConditionExpression": "#s = :confirmed",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":cancelled": "CANCELLED", ":confirmed": "CONFIRMED"},
                    }
                },
                {
                    "Update": {
                        "TableName": EVENTS_TABLE,
                        "Key": {"event_id": event_id},
                        "UpdateExpression": "ADD seats_taken :minus",
                        "ConditionExpression": "seats_taken > :zero",
                        "ExpressionAttributeValues": {":minus": -1, ":zero": 0},
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=404, detail="no confirmed registration") from exc
        raise


@router.post("/{attendee_sub}/check-in", response_model=RegistrationOut)
async def check_in(
    event_id: EventId, attendee_sub: AttendeeSub, me: CallerDep, events: Events, registrations: Registrations
):
    event = (await events.get_item(Key={"event_id": event_id})).get("Item")
    if event is None or event["organizer_sub"] != me.sub:
        raise HTTPException(status_code=404, detail="event not found")
    try:
        resp = await registrations.update_item(
            Key={"event_id": event_id, "attendee_sub": attendee_sub},
            UpdateExpression="SET checked_in_at = :now",
            ConditionExpression="#s = :confirmed AND attribute_not_exists(checked_in_at)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":now": datetime.now(UTC).isoformat(), ":confirmed": "CONFIRMED"},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if conditional_failed(exc):
            raise HTTPException(status_code=409, detail="not confirmed or already checked in") from exc
        raise
    return resp["Attributes"]
