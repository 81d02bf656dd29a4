"""Aggregate streams: creation, optimistic appends, reads, archiving."""
from __future__ import annotations

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status

from .. import audit
from ..db import Tables, stream_key, tables, to_dynamo, utcnow
from ..deps import Tenant, current_tenant, require_scope
from ..projector import as_event, projection_update
from ..schemas import (
    AggregatePath,
    AppendRequest,
    AppendResult,
    EventPage,
    StoredEvent,
    StreamCreate,
    StreamOut,
)

router = APIRouter(prefix="/streams", tags=["streams"])


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


@router.post("", response_model=StreamOut, status_code=status.HTTP_201_CREATED)
async def create_stream(
    body: StreamCreate,
    tenant: Tenant = Depends(require_scope("streams:write")),
    t: Tables = Depends(tables),
):
    now = utcnow()
    head = {
        "stream_id": stream_key(tenant.tenant_id, body.aggregate_id),
        "tenant_id": tenant.tenant_id,
        "aggregate_id": body.aggregate_id,
        "aggregate_type": body.aggregate_type,
        "version": 0,
        "status": "open",
        "created_at": now,
    }
    projection = {
        "tenant_id": tenant.tenant_id,
        "aggregate_id": body.aggregate_id,
        "aggregate_type": body.aggregate_type,
        "last_seq": 0,
        "event_count": 0,
        "updated_at": now,
    }
    try:
        await t.resource.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": t.names.streams,
                        "Item": head,
                        "ConditionExpression": "attribute_not_exists(stream_id)",
                    }
                },
                {
                    "Put": {
                        "TableName": t.names.projections,
                        "Item": projection,
                        "ConditionExpression": "attribute_not_exists(aggregate_id)",
                    }
                },
            ]
        )
    except ClientError as err:
        if _code(err) == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "aggregate already exists")
        raise
    return head


@router.post(
    "/{aggregate_id}/events",
    response_model=AppendResult,
    status_code=status.HTTP_201_CREATED,
)
async def append_events(
    aggregate_id: AggregatePath,
    body: AppendRequest,
    tenant: Tenant = Depends(require_scope("streams:write")),
    t: Tables = Depends(tables),
):
    sid = stream_key(tenant.tenant_id, aggregate_id)
    first_seq = body.expected_version + 1
    new_version = body.expected_version + len(body.events)
    now = utcnow()

    items = [
        {
            "Update": {
                "TableName": t.names.streams,
                "Key": {"stream_id": sid},
                "UpdateExpression": "SET #v = :new",
                "ConditionExpression": "#v = :expected AND #st = :open",
                "ExpressionAttributeNames": {"#v": "version", "#st": "status"},
                "ExpressionAttributeValues": {
                    ":new": new_version,
                    ":expected": body.expected_version,
                    ":open": "open",
                },
            }
        }
    ]
    for offset, event in enumerate(body.events):
        items.append(
            {
                "Put": {
                    "TableName": t.names.events,
                    "Item": {
                        "stream_id": sid,
                        "seq": first_seq + offset,
                        "type": event.type,
                        "data": to_dynamo(event.data),
                        "metadata": event.metadata,
                        "recorded_at": now,
                        "recorded_by": tenant.key_hash[:12],
                    },
                    "ConditionExpression": "attribute_not_exists(#seq)",
                    "ExpressionAttributeNames": {"#seq": "seq"},
                }
            }
        )
    items.append(
        projection_update(
            t.names.projections,
            tenant.tenant_id,
            aggregate_id,
            [e.type for e in body.events],
            new_version,
        )
    )

    try:
        await t.resource.meta.client.transact_write_items(TransactItems=items)
    except ClientError as err:
        if _code(err) == "TransactionCanceledException":
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                "expected_version does not match the stream, or the stream is closed",
            )
        raise
    return AppendResult(aggregate_id=aggregate_id, version=new_version, first_seq=first_seq)


@router.get("/{aggregate_id}/events", response_model=EventPage)
async def read_events(
    aggregate_id: AggregatePath,
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=500),
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.events.query(
        KeyConditionExpression=Key("stream_id").eq(stream_key(tenant.tenant_id, aggregate_id))
        & Key("seq").gt(after),
        Limit=limit,
    )
    events = [StoredEvent(**as_event(item)) for item in resp["Items"]]
    next_after = events[-1].seq if events and "LastEvaluatedKey" in resp else None
    return EventPage(events=events, next_after=next_after)


@router.get("/{aggregate_id}", response_model=StreamOut)
async def get_stream(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.streams.get_item(
        Key={"stream_id": stream_key(tenant.tenant_id, aggregate_id)}
    )
    head = resp.get("Item")
    if head is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such aggregate")
    return head


@router.post("/{aggregate_id}/archive", response_model=StreamOut)
async def archive_stream(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(require_scope("streams:write")),
    t: Tables = Depends(tables),
):
    sid = stream_key(tenant.tenant_id, aggregate_id)
    try:
        resp = await t.streams.update_item(
            Key={"stream_id": sid},
            UpdateExpression="SET #st = :archived, archived_at = :now",
            ConditionExpression="attribute_exists(stream_id)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":archived": "archived", ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as err:
        if _code(err) == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such aggregate")
        raise
    audit.record(tenant.tenant_id, "stream.archived", sid)
    return resp["Attributes"]
