"""Read models kept beside the streams."""
from __future__ import annotations

from typing import Optional

from boto3.dynamodb.conditions import Attr, Key
from fastapi import APIRouter, Depends, HTTPException, status

from ..db import Tables, stream_key, tables
from ..deps import Tenant, current_tenant, require_scope
from ..projector import fold
from ..schemas import AggregatePath, AggregateType, ProjectionOut

router = APIRouter(prefix="/projections", tags=["projections"])


@router.get("", response_model=list[ProjectionOut])
async def list_projections(
    aggregate_type: Optional[AggregateType] = None,
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    kwargs = {}
    if aggregate_type is not None:
        kwargs["FilterExpression"] = Attr("aggregate_type").eq(aggregate_type)
    rows = []
    while True:
        page = await t.projections.scan(**kwargs)
        rows.extend(r for r in page["Items"] if r.get("tenant_id") == tenant.tenant_id)
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return [ProjectionOut(**r) for r in rows]


@router.get("/{aggregate_id}", response_model=ProjectionOut)
async def get_projection(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(current_tenant),
    t: Tables = Depends(tables),
):
    resp = await t.projections.get_item(
        Key={"tenant_id": tenant.tenant_id, "aggregate_id": aggregate_id}
    )
    if "Item" not in resp:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such projection")
    return ProjectionOut(**resp["Item"])


@router.post("/{aggregate_id}/rebuild", response_model=ProjectionOut)
async def rebuild_projection(
    aggregate_id: AggregatePath,
    tenant: Tenant = Depends(require_scope("projections:rebuild")),
    t: Tables = Depends(tables),
):
    sid = stream_key(tenant.tenant_id, aggregate_id)
    head = (await t.streams.get_item(Key={"stream_id": sid})).get("Item")
    if head is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such aggregate")

    events = []
    query = {"KeyConditionExpression": Key("stream_id").eq(sid)}
    while True:
        page = await t.events.query(**query)
        events.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    projection = fold(tenant.tenant_id, head, events)
    await t.projections.put_item(Item=projection)
    return ProjectionOut(**projection)
