"""Snapshots: a client that folded a stream may store its state at a version."""
from __future__ import annotations

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status

from ..db import Tables, from_dynamo, stream_key, tables, to_dynamo, utcnow
from ..deps import Tenant, current_tenant, require_scope
from ..schemas import AggregatePath, SnapshotIn, SnapshotOut

router = APIRouter(prefix="/streams", tags=["snapshots"])


@router.put(
    "/{aggregate_id}/snapshots",
    response_model=SnapshotOut,
    status_code=status.HTTP_201_CREATED,
)
async def save_snapshot(
    aggregate_id: AggregatePath,
    body: SnapshotIn,
    tenant: Tenant = Depends(require_scope("streams:write")),
    t: Tables = Depends(tables),
):
    head = (
        await t.streams.get_item(Key={"stream_id": stream_key(tenant.tenant_id, aggregate_id)})
    ).get("Item")
    if head is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such aggregate")
    if body.version > int(head["version"]):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "snapshot is ahead of the stream"
        )

    item = {
        "stream_id": stream_key(tenant.tenant_id, body.aggregate_id),
        "version": body.version,
        "state": to_dynamo(body.state),
        "taken_at": utcnow(),
    }
    try:
        await t.snapshots.put_item(
            Item=item,
            ConditionExpression="attribute_not_exists(#v)",
            ExpressionAttributeNames={"#v": "version"},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "snapshot exists at that version")
        raise
    return SnapshotOut(
        aggregate_id=body.aggregate_id,
        version=body.version,
        state=body.state,
        taken_at=item["taken_at"],
    )


@router.get("/{aggregate_id}/snapshots/latest", response_model=SnapshotOut)
async def latest_snapshot(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.snapshots.query(
        KeyConditionExpression=Key("stream_id").eq(stream_key(tenant.tenant_id, aggregate_id)),
        ScanIndexForward=False,
        Limit=1,
    )
    if not resp["Items"]:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no snapshot yet")
    snap = resp["Items"][0]
    return SnapshotOut(
        aggregate_id=aggregate_id,
        version=int(snap["version"]),
        state=from_dynamo(snap["state"]),
        taken_at=snap["taken_at"],
    )
