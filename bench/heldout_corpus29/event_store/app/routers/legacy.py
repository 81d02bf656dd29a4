"""v0 API, kept for the first SDK release (no expected_version on appends)."""
from __future__ import annotations

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status

from ..db import Tables, stream_key, tables, to_dynamo, utcnow
from ..deps import Tenant, current_tenant, require_scope
from ..projector import as_event
from ..schemas import AggregatePath, LegacyAppend, StoredEvent

router = APIRouter(prefix="/v0", tags=["legacy"])


@router.post("/streams/{aggregate_id}/events", status_code=status.HTTP_201_CREATED)
async def legacy_append(
    aggregate_id: AggregatePath,
    body: LegacyAppend,
    tenant: Tenant = Depends(require_scope("streams:write")),
    t: Tables = Depends(tables),
):
    sid = stream_key(tenant.tenant_id, aggregate_id)
    head = (await t.streams.get_item(Key={"stream_id": sid})).get("Item")
    if head is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such aggregate")

    seq = int(head["version"]) + 1
    try:
        await t.events.put_item(
            Item={
                "stream_id": sid,
                "seq": seq,
                "type": body.type,
                "data": to_dynamo(body.data),
                "recorded_at": utcnow(),
                "recorded_by": tenant.key_hash[:12],
            },
            ConditionExpression="attribute_not_exists(#seq)",
            ExpressionAttributeNames={"#seq": "seq"},
        )
        await t.streams.update_item(
            Key={"stream_id": sid},
            UpdateExpression="SET #v = :seq",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":seq": seq},
        )
    except ClientError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"append failed: {err}")
    return {"aggregate_id": aggregate_id, "seq": seq}


@router.get("/streams/{aggregate_id}/events", response_model=list[StoredEvent])
async def legacy_read(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.events.query(
        KeyConditionExpression=Key("stream_id").eq(stream_key(tenant.tenant_id, aggregate_id)),
        ProjectionExpression="seq, type, data, recorded_at",
    )
    return [as_event(item) for item in resp["Items"]]


@router.get("/events/{stream_id}/{seq}")
async def legacy_event(
    stream_id: str,
    seq: int,
    _: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.events.get_item(Key={"stream_id": stream_id, "seq": seq})
    if "Item" not in resp:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such event")
    return resp["Item"]
