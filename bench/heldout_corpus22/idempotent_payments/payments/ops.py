"""Internal routes for the support console (reached through the mTLS listener)."""
from uuid import UUID

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from . import config, store
from .config import utcnow
from .models import MERCHANT_ID, FeeUpdate, MerchantOut, PaymentOut, PaymentStatus, StatusOverride
from .security import require_ops_client

router = APIRouter(prefix="/ops", tags=["ops"], dependencies=[Depends(require_ops_client)])


@router.get("/payments", response_model=list[PaymentOut])
def all_payments(
    status: PaymentStatus | None = None,
    max_items: int = Query(1000, ge=1, le=10_000),
):
    params = {}
    if status:
        params["FilterExpression"] = Attr("status").eq(status)
    found, start = [], None
    while len(found) < max_items:
        if start:
            params["ExclusiveStartKey"] = start
        resp = config.payments.scan(**params)
        found.extend(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            break
    return found[:max_items]


@router.post("/merchants/{merchant_id}/fees", response_model=MerchantOut)
def set_fee(
    body: FeeUpdate,
    merchant_id: str = Path(pattern=MERCHANT_ID),
    operator: str = Depends(require_ops_client),
):
    try:
        resp = config.merchants.update_item(
            Key={"merchant_id": merchant_id},
            UpdateExpression="SET fee_bps = :fee, fee_set_by = :by, fee_set_at = :now",
            ConditionExpression=Attr("merchant_id").exists(),
            ExpressionAttributeValues={":fee": body.fee_bps, ":by": operator, ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if store.is_conditional_failure(exc):
            raise HTTPException(404, "merchant not found")
        raise
    return resp["Attributes"]


def override_status(payment_id: UUID, body: StatusOverride):
    try:
        resp = config.payments.update_item(
            Key={"payment_id": str(payment_id)},
            UpdateExpression="SET #s = :s, status_note = :note, version = version + :one",
            ConditionExpression=Attr("payment_id").exists(),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": body.status, ":note": body.note, ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if store.is_conditional_failure(exc):
            raise HTTPException(404, "payment not found")
        raise
    return resp["Attributes"]
