from __future__ import annotations

from uuid import UUID

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status

from libs.common.auth import Principal, current_principal
from libs.common.dynamo import decode_cursor, encode_cursor, now_iso, scan_all
from libs.common.models import Page

from .. import service
from ..schemas import ReservationCreate, ReservationOut, ReservationPatch, Warehouse

router = APIRouter(prefix="/reservations", tags=["reservations"])


@router.post("", response_model=ReservationOut, status_code=status.HTTP_201_CREATED)
def create_reservation(body: ReservationCreate, who: Principal = Depends(current_principal)):
    return service.reserve(body, who)


@router.get("", response_model=Page[ReservationOut])
def my_reservations(
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=25, ge=1, le=100),
    who: Principal = Depends(current_principal),
):
    kwargs = dict(
        IndexName="by-owner",
        KeyConditionExpression=Key("owner_sub").eq(who.sub),
        ScanIndexForward=False,
        Limit=limit,
    )
    start = decode_cursor(cursor)
    if start:
        if start.get("owner_sub") != who.sub:
            raise HTTPException(status_code=400, detail="bad cursor")
        kwargs["ExclusiveStartKey"] = start
    page = service.reservations.query(**kwargs)
    return {"items": page.get("Items", []), "next_cursor": encode_cursor(page.get("LastEvaluatedKey"))}


@router.get("/search", response_model=list[ReservationOut])
def search_reservations(
    warehouse: Warehouse,
    status_: str = Query(default="HELD", alias="status", pattern="^(HELD|CONFIRMED)$"),
    _: Principal = Depends(current_principal),
):
    cond = Attr("warehouse").eq(warehouse) & Attr("status").eq(status_)
    return list(scan_all(service.reservations, cond))


@router.get("/{reservation_id}", response_model=ReservationOut)
def read_reservation(reservation_id: UUID, who: Principal = Depends(current_principal)):
    item = service.reservations.get_item(Key={"reservation_id": str(reservation_id)}).get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="reservation not found")
    if item["owner_sub"] != who.sub:
        raise HTTPException(status_code=403, detail="not your reservation")
    return item


@router.patch("/{reservation_id}", response_model=ReservationOut)
def patch_reservation(
    reservation_id: UUID, body: ReservationPatch, who: Principal = Depends(current_principal)
):
    changes = body.model_dump(exclude_unset=True)
    if "expires_at" in changes and changes["expires_at"] is not None:
        changes["expires_at"] = int(changes["expires_at"].timestamp())
    if not changes:
        raise HTTPException(status_code=422, detail="nothing to change")
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    values[":me"] = who.sub
    resp = service.reservations.update_item(
        Key={"reservation_id": str(reservation_id)},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="owner_sub = :me",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.post("/{reservation_id}/confirm", response_model=ReservationOut)
def confirm_reservation(reservation_id: UUID, who: Principal = Depends(current_principal)):
    try:
        resp = service.reservations.update_item(
            Key={"reservation_id": str(reservation_id)},
            UpdateExpression="SET #s = :confirmed, confirmed_at = :t",
            ConditionExpression="owner_sub = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":confirmed": "CONFIRMED", ":me": who.sub, ":t": now_iso()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="reservation not found")
        raise
    return resp["Attributes"]


@router.delete("/{reservation_id}", status_code=status.HTTP_204_NO_CONTENT)
def cancel_reservation(reservation_id: UUID, who: Principal = Depends(current_principal)):
    item = service.reservations.get_item(
        Key={"reservation_id": str(reservation_id)}, ConsistentRead=True
    ).get("Item")
    if item is None or item["owner_sub"] != who.sub:
        raise HTTPException(status_code=404, detail="reservation not found")
    service.release(item, who)
