import asyncio
import re
import time
from datetime import UTC, datetime

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Header, HTTPException, Query, Response

from .aws import Events, Idempotency, Registrations, Waitlist, conditional_failed, storage_error
from .identity import CallerDep
from .models import (
    EventDetail,
    EventId,
    EventIn,
    EventOut,
    EventPage,
    EventPatch,
    WaitlistIn,
    decode_cursor,
    encode_cursor,
)

router = APIRouter(prefix="/events", tags=["events"])

_ETAG = re.compile(r'^"(\d{1,9})"$')


@router.post("", response_model=EventOut, status_code=201)
async def create_event(
    body: EventIn,
    me: CallerDep,
    events: Events,
    idempotency: Idempotency,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=8, max_length=64),
):
    idem_key = f"{me.sub}#{idempotency_key}"
    seen = (await idempotency.get_item(Key={"idem_key": idem_key})).get("Item")
    if seen is not None:
        stored = (await events.get_item(Key={"event_id": seen["event_id"]})).get("Item")
        if stored is not None and stored["organizer_sub"] == me.sub:
            return stored
    item = {
        **body.model_dump(mode="json"),
        "organizer_sub": me.sub,
        "status": "DRAFT",
        "seats_taken": 0,
        "version": 1,
        "created_at": datetime.now(UTC).isoformat(),
    }
    try:
        await idempotency.put_item(
            Item={"idem_key": idem_key, "event_id": body.event_id, "expires_at": int(time.time()) + 86400},
            ConditionExpression="attribute_not_exists(idem_key)",
        )
        await events.put_item(Item=item, ConditionExpression="attribute_not_exists(event_id)")
    except ClientError as exc:
        if conditional_failed(exc):
            raise HTTPException(status_code=409, detail="event id already taken") from exc
        raise storage_error(exc) from exc
    return item


@router.get("", response_model=EventPage)
async def list_published(
    me: CallerDep,
    events: Events,
    cursor: str | None = Query(None, max_length=1024),
):
    kwargs = {"FilterExpression": Attr("status").eq("PUBLISHED"), "Limit": 50}
    if start := decode_cursor(cursor):
        kwargs["ExclusiveStartKey"] = start
    resp = await events.scan(**kwargs)
    return EventPage(items=resp["Items"], cursor=encode_cursor(resp.get("LastEvaluatedKey")))


@router.get("/mine", response_model=list[EventOut])
async def my_events(me: CallerDep, events: Events):
    resp = await events.scan()
    return [e for e in resp["Items"] if e.get("organizer_sub") == me.sub]


@router.get("/{event_id}", response_model=EventDetail)
async def event_detail(event_id: EventId, me: CallerDep, events: Events, registrations: Registrations):
    event_resp, count_resp, mine_resp = await asyncio.gather(
        events.get_item(Key={"event_id": event_id}),
        registrations.query(
            KeyConditionExpression=Key("event_id").eq(event_id),
            FilterExpression=Attr("status").eq("CONFIRMED"),
            Select="COUNT",
        ),
        registrations.get_item(Key={"event_id": event_id, "attendee_sub": me.sub}),
    )
    event = event_resp.get("Item")
    if event is None or (event["status"] == "DRAFT" and event["organizer_sub"] != me.sub):
        raise HTTPException(status_code=404, detail="event not found")
    return {**event, "attendees": count_resp["Count"], "registered": "Item" in mine_resp}


@router.patch("/{event_id}", response_model=EventOut)
async def patch_event(
    event_id: EventId,
    body: EventPatch,
    me: CallerDep,
    events: Events,
    response: Response,
    if_match: str = Header(..., alias="If-Match"),
):
    match = _ETAG.match(if_match)
    if match is None:
        raise HTTPException(status_code=428, detail="If-Match with the event's ETag required")
    changes = body.model_dump(mode="json", exclude_none=True)
    sets = [f"#{k} = :{k}" for k in changes] + ["#v = #v + :one"]
    try:
        resp = await events.update_item(
            Key={"event_id": event_id},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="#o = :me AND #v = :expected",
            ExpressionAttributeNames={**{f"#{k}": k for k in changes}, "#v": "version", "#o": "organizer_sub"},
            ExpressionAttributeValues={
                **{f":{k}": v for k, v in changes.items()},
                ":one": 1,
                ":me": me.sub,
                ":expected": int(match.group(1)),
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if conditional_failed(exc):
            raise HTTPException(status_code=412, detail="event changed or not yours") from exc
        raise
    event = resp["Attributes"]
    response.headers["ETag"] = f'"{event["version"]}"'
    return event


@router.post("/{event_id}/publish", response_model=EventOut)
async def publish_event(event_id: EventId, me: CallerDep, events: Events):
    try:
        resp = await events.update_item(
            Key={"event_id": event_id},
            UpdateExpression="SET #s = :published",
            ConditionExpression=Attr("organizer_sub").eq(me.sub) & Attr("status").eq("DRAFT"),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":published": "PUBLISHED"},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if conditional_failed(exc):
            raise HTTPException(status_code=404, detail="no draft event to publish") from exc
        raise
    return resp["Attributes"]


@router.post("/{event_id}/cancel", response_model=EventOut)
async def cancel_event(event_id: EventId, me: CallerDep, events: Events):
    event = (await events.get_item(Key={"event_id": event_id})).get("Item")
    if event is None:
        raise HTTPException(status_code=404, detail="event not found")
    if event["organizer_sub"] != me.sub:
        raise HTTPException(status_code=403, detail="only the organizer can cancel")
    if event["status"] == "CANCELLED":
        raise HTTPException(status_code=409, detail="already cancelled")
    resp = await events.update_item(
        Key={"event_id": event_id},
        UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
        ConditionExpression="attribute_exists(event_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": "CANCELLED", ":now": datetime.now(UTC).isoformat()},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.post("/{event_id}/waitlist", status_code=202)
async def join_waitlist(event_id: EventId, body: WaitlistIn, waitlist: Waitlist):
    try:
        await waitlist.put_item(
            Item={"event_id": event_id, "email": body.email, "joined_at": datetime.now(UTC).isoformat()},
            ConditionExpression="attribute_not_exists(email)",
        )
    except ClientError as exc:
        if not conditional_failed(exc):
            raise
    return {"queued": True}
