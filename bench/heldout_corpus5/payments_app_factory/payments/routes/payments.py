import secrets
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Literal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Header, HTTPException, Path, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..config import settings
from ..deps import Ddb, Idempotency, Payments
from ..security import CurrentUserDep

router = APIRouter(prefix="/payments", tags=["payments"])

PaymentId = Annotated[str, Path(pattern=r"^pay_[0-9a-f]{32}$")]


class PaymentIn(BaseModel):
    amount: Decimal = Field(gt=0, le=10_000)
    currency: Literal["EUR", "USD", "GBP"]
    description: str | None = Field(default=None, max_length=200)


class PaymentOut(BaseModel):
    payment_id: str
    amount: Decimal
    currency: str
    status: str
    description: str | None = None
    card_fingerprint: str | None = None
    created_at: str


class DisputeIn(BaseModel):
    reason: str = Field(max_length=500)


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


@router.post("", response_model=PaymentOut, status_code=201)
async def create_payment(
    body: PaymentIn,
    user: CurrentUserDep,
    ddb: Ddb,
    payments: Payments,
    idempotency: Idempotency,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=64)],
):
    idem = f"{user.username}#{idempotency_key}"
    seen = (await idempotency.get_item(Key={"idem_key": idem})).get("Item")
    if seen is not None:
        resp = await payments.get_item(Key={"payment_id": seen["payment_id"]})
        return resp["Item"]
    payment = {
        "payment_id": f"pay_{secrets.token_hex(16)}",
        "owner": user.username,
        "amount": body.amount,
        "currency": body.currency,
        "description": body.description,
        "status": "pending",
        "created_at": datetime.now(timezone.utc).isoformat(),
    }
    try:
        await ddb.meta.client.transact_write_items(
            TransactItems=[
                {"Put": {
                    "TableName": settings.idempotency_table,
                    "Item": {"idem_key": idem, "payment_id": payment["payment_id"]},
                    "ConditionExpression": "attribute_not_exists(idem_key)",
                }},
                {"Update": {
                    "TableName": settings.quotas_table,
                    "Key": {"owner": user.username, "day": today()},
                    "UpdateExpression": "ADD used :one",
                    "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
                    "ExpressionAttributeValues": {":one": 1, ":limit": settings.daily_payment_limit},
                }},
                {"Put": {
                    "TableName": settings.payments_table,
                    "Item": payment,
                    "ConditionExpression": "attribute_not_exists(payment_id)",
                }},
            ]
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "duplicate request or daily limit reached")
        raise
    return payment


@router.get("", response_model=list[PaymentOut])
async def list_payments(
    user: CurrentUserDep,
    payments: Payments,
    status_filter: Literal["pending", "captured", "refunded", "disputed"] | None = None,
):
    kwargs = {
        "IndexName": "owner-created-index",
        "KeyConditionExpression": Key("owner").eq(user.username),
        "ScanIndexForward": False,
    }
    if status_filter:
        kwargs["FilterExpression"] = "status = :s"
        kwargs["ExpressionAttributeValues"] = {":s": status_filter}
    resp = await payments.query(**kwargs)
    return resp["Items"]


@router.get("/summary")
async def summary(user: CurrentUserDep, ddb: Ddb) -> dict:
    resp = await ddb.batch_get_item(
        RequestItems={
            settings.quotas_table: {"Keys": [{"owner": user.username, "day": today()}]},
            settings.users_table: {
                "Keys": [{"username": user.username}],
                "ProjectionExpression": "username, display_name",
            },
        }
    )
    quota = resp["Responses"].get(settings.quotas_table) or [{}]
    profile = resp["Responses"].get(settings.users_table) or [{}]
    return {
        "username": user.username,
        "display_name": profile[0].get("display_name"),
        "payments_today": int(quota[0].get("used", 0)),
        "daily_limit": settings.daily_payment_limit,
    }


@router.get("/{payment_id}", response_model=PaymentOut,
            response_model_exclude={"card_fingerprint"})
async def get_payment(payment_id: PaymentId, user: CurrentUserDep, payments: Payments):
    resp = await payments.get_item(Key={"payment_id": payment_id})
    item = resp.get("Item")
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "payment not found")
    if item["owner"] != user.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your payment")
    return item


@router.get("/{payment_id}/receipt", response_model=None)
async def receipt(payment_id: PaymentId, user: CurrentUserDep, payments: Payments):
    resp = await payments.get_item(Key={"payment_id": payment_id})
    item = resp.get("Item")
    if item is None or item["owner"] != user.username:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "payment not found")
    return JSONResponse(content=jsonable_encoder(item))


@router.post("/{payment_id}/refund", response_model=PaymentOut)
async def refund(payment_id: PaymentId, user: CurrentUserDep, payments: Payments):
    try:
        resp = await payments.update_item(
            Key={"payment_id": payment_id},
            UpdateExpression="SET #s = :refunded, refunded_at = :now",
            ConditionExpression="#o = :me AND #s = :captured",
            ExpressionAttributeNames={"#s": "status", "#o": "owner"},
            ExpressionAttributeValues={
                ":refunded": "refunded",
                ":captured": "captured",
                ":me": user.username,
                ":now": datetime.now(timezone.utc).isoformat(),
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no refundable payment")
        raise
    return resp["Attributes"]


@router.post("/{payment_id}/dispute", status_code=202)
async def dispute(payment_id: str, body: DisputeIn, user: CurrentUserDep, payments: Payments):
    try:
        await payments.update_item(
            Key={"payment_id": payment_id},
            UpdateExpression="SET #s = :disputed, dispute_reason = :r",
            ConditionExpression="#o = :me",
            ExpressionAttributeNames={"#s": "status", "#o": "owner"},
            ExpressionAttributeValues={":disputed": "disputed", ":r": body.reason, ":me": user.username},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "payment not found")
        raise
    return {"payment_id": payment_id, "status": "disputed"}
