from __future__ import annotations

from fastapi import APIRouter, Depends, Query, status
from botocore.exceptions import ClientError
from boto3.dynamodb.conditions import Key

from libs.common import audit
from libs.common.auth import Principal, current_principal, require_admin
from libs.common.dynamo import now_iso, set_clause

from .. import service
from ..schemas import (
    AvailabilityOut,
    ItemCreate,
    ItemOut,
    ItemPatch,
    ItemSummary,
    Sku,
    StatusChange,
    StockLevel,
)

router = APIRouter(prefix="/items", tags=["items"])
admin = APIRouter(prefix="/admin/items", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("", response_model=list[ItemSummary])
def list_items(
    category: str = Query(min_length=2, max_length=40),
    fields: str = Query(default="sku,title,available", max_length=200),
    _: Principal = Depends(current_principal),
):
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    names = {f"#f{i}": name for i, name in enumerate(wanted)}
    out = []
    kwargs = dict(
        IndexName="by-category",
        KeyConditionExpression=Key("category").eq(category),
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
    )
    while True:
        page = service.items.query(**kwargs)
        out.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page or len(out) >= 500:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.get("/{sku}", response_model=ItemOut)
def read_item(sku: Sku, _: Principal = Depends(current_principal)):
    return service.get_item(sku)


@router.get("/{sku}/availability", response_model=AvailabilityOut)
async def item_availability(sku: Sku, _: Principal = Depends(current_principal)):
    return service.availability(sku)


@router.patch("/{sku}", response_model=ItemOut)
def patch_item(sku: Sku, body: ItemPatch, who: Principal = Depends(current_principal)):
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        return service.get_item(sku)
    return service.edit_item(sku, changes, who)


@router.put("/{sku}/stock", response_model=ItemOut)
def set_stock(sku: Sku, body: StockLevel, who: Principal = Depends(current_principal)):
    service.require_lock(sku, who)
    resp = service.items.update_item(
        Key={"sku": sku},
        UpdateExpression="SET available = :a, updated_at = :t",
        ExpressionAttributeValues={":a": body.available, ":t": now_iso()},
        ReturnValues="ALL_NEW",
    )
    audit.record(service.SERVICE, who.email, "item.stock", sku, available=body.available)
    return resp["Attributes"]


@admin.post("", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemCreate, who: Principal = Depends(require_admin)):
    item = {**body.model_dump(), "status": "active", "held": 0, "created_at": now_iso()}
    try:
        service.items.put_item(Item=item, ConditionExpression="attribute_not_exists(sku)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise service._conflict("sku already exists")
        raise
    return item


@admin.post("/{sku}/status", response_model=ItemOut)
def change_status(sku: Sku, body: StatusChange, who: Principal = Depends(require_admin)):
    expr, names, values = set_clause({"status": body.status, "status_reason": body.reason})
    resp = service.items.update_item(
        Key={"sku": sku},
        UpdateExpression=expr,
        ConditionExpression="attribute_exists(sku)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
