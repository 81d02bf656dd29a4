import base64
import binascii
import json
from decimal import Decimal
from uuid import UUID, uuid4

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response

from . import config, store
from .config import money, utcnow
from .models import (
    EMAIL,
    BalanceOut,
    CustomerPayment,
    MerchantOut,
    MerchantUpdate,
    MetadataUpdate,
    PaymentCreate,
    PaymentOut,
    PaymentPage,
    PaymentStatus,
    RefundCreate,
    RefundOut,
)
from .security import Merchant, current_merchant

router = APIRouter(prefix="/v1", tags=["payments"])

IdempotencyKey = Header(alias="Idempotency-Key", min_length=8, max_length=64)
HIDDEN = {"risk_score"}


def _risk_score(body: PaymentCreate) -> int:
    score = 10
    if body.amount > Decimal("1000"):
        score += 30
    if not body.customer_email:
        score += 20
    return min(score, 100)


def _encode_cursor(last_key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(last_key, default=str).encode()).decode()


def _decode_cursor(cursor: str, merchant_id: str) -> dict:
    try:
        start = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError):
        raise HTTPException(400, "invalid cursor")
    if not isinstance(start, dict) or start.get("merchant_id") != merchant_id:
        raise HTTPException(400, "invalid cursor")
    return start


@router.post("/payments", status_code=201, response_model=PaymentOut, response_model_exclude=HIDDEN)
def create_payment(
    body: PaymentCreate,
    response: Response,
    idempotency_key: str = IdempotencyKey,
    merchant: Merchant = Depends(current_merchant),
):
    request_hash = store.fingerprint("create_payment", body.model_dump(mode="json"))
    try:
        store.begin(merchant.merchant_id, idempotency_key, request_hash)
    except store.Replay as replay:
        response.status_code = replay.status_code
        response.headers["Idempotent-Replayed"] = "true"
        return replay.body
    item = {
        "payment_id": str(uuid4()),
        "merchant_id": merchant.merchant_id,
        "amount": money(body.amount),
        "currency": body.currency,
        "status": "captured" if body.capture else "authorized",
        "refunded_amount": Decimal("0"),
        "description": body.description,
        "customer_email": body.customer_email.lower() if body.customer_email else None,
        "metadata": body.metadata,
        "risk_score": _risk_score(body),
        "livemode": merchant.livemode,
        "created_at": utcnow(),
        "version": 1,
    }
    try:
        config.payments.put_item(Item=item, ConditionExpression=Attr("payment_id").not_exists())
    except ClientError:
        store.release(merchant.merchant_id, idempotency_key)
        raise
    stored = PaymentOut(**item).model_dump(mode="json", exclude=HIDDEN)
    store.finish(merchant.merchant_id, idempotency_key, 201, stored)
    return item


@router.get(
    "/payments",
    response_model=PaymentPage,
    response_model_exclude={"payments": {"__all__": HIDDEN}},
)
def list_payments(
    status: PaymentStatus | None = None,
    limit: int = Query(25, ge=1, le=100),
    cursor: str | None = Query(None, max_length=1024),
    merchant: Merchant = Depends(current_merchant),
):
    params = {
        "IndexName": "by_merchant",
        "KeyConditionExpression": Key("merchant_id").eq(merchant.merchant_id),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if status:
        params["FilterExpression"] = "status = :status"
        params["ExpressionAttributeValues"] = {":status": status}
    if cursor:
        params["ExclusiveStartKey"] = _decode_cursor(cursor, merchant.merchant_id)
    resp = config.payments.query(**params)
    last = resp.get("LastEvaluatedKey")
    return {"payments": resp["Items"], "next_cursor": _encode_cursor(last) if last else None}


@router.get("/payments/{payment_id}", response_model=PaymentOut, response_model_exclude=HIDDEN)
def get_payment(payment_id: UUID, merchant: Merchant = Depends(current_merchant)):
    item = config.payments.get_item(Key={"payment_id": str(payment_id)}).get("Item")
    if item is None or item["merchant_id"] != merchant.merchant_id:
        raise HTTPException(404, "payment not found")
    return item


def capture_payment(payment_id: UUID, merchant: Merchant = Depends(current_merchant)):
    try:
        resp = config.payments.update_item(
            Key={"payment_id": str(payment_id)},
            UpdateExpression="SET #s = :captured, captured_at = :now, version = version + :one",
            ConditionExpression=Attr("merchant_id").eq(merchant.merchant_id)
            & Attr("status").eq("authorized"),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":captured": "captured", ":now": utcnow(), ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if store.is_conditional_failure(exc):
            raise HTTPException(409, "payment cannot be captured")
        raise
    return resp["Attributes"]


@router.post("/payments/{payment_id}/cancel", response_model=PaymentOut, response_model_exclude=HIDDEN)
def cancel_payment(payment_id: UUID, merchant: Merchant = Depends(current_merchant)):
    item = config.payments.get_item(Key={"payment_id": str(payment_id)}, ConsistentRead=True).get("Item")
    if item is None or item["merchant_id"] != merchant.merchant_id:
        raise HTTPException(404, "payment not found")
    if item["status"] != "authorized":
        raise HTTPException(409, f"a {item['status']} payment cannot be canceled")
    resp = config.payments.update_item(
        Key={"payment_id": str(payment_id)},
        UpdateExpression="SET #s = :canceled, canceled_at = :now, version = version + :one",
        ConditionExpression=Attr("merchant_id").eq(merchant.merchant_id),
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":canceled": "canceled", ":now": utcnow(), ":one": 1},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.put("/payments/{payment_id}/metadata", response_model=PaymentOut, response_model_exclude=HIDDEN)
def replace_metadata(payment_id: UUID, body: MetadataUpdate, merchant: Merchant = Depends(current_merchant)):
    try:
        resp = config.payments.update_item(
            Key={"payment_id": str(body.payment_id)},
            UpdateExpression="SET #md = :md, version = version + :one",
            ConditionExpression=Attr("merchant_id").eq(merchant.merchant_id),
            ExpressionAttributeNames={"#md": "metadata"},
            ExpressionAttributeValues={":md": body.metadata, ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if store.is_conditional_failure(exc):
            raise HTTPException(404, "payment not found")
        raise
    return resp["Attributes"]


@router.post("/payments/{payment_id}/refunds", status_code=201, response_model=RefundOut)
def refund_payment(
    payment_id: UUID,
    body: RefundCreate,
    response: Response,
    idempotency_key: str = IdempotencyKey,
    merchant: Merchant = Depends(current_merchant),
):
    pid = str(payment_id)
    amount = money(body.amount)
    request_hash = store.fingerprint("refund", {"payment_id": pid, **body.model_dump(mode="json")})
    try:
        store.begin(merchant.merchant_id, idempotency_key, request_hash)
    except store.Replay as replay:
        response.status_code = replay.status_code
        return replay.body

    def apply_refund() -> dict:
        item = config.payments.get_item(Key={"payment_id": pid}, ConsistentRead=True).get("Item")
        if item is None or item["merchant_id"] != merchant.merchant_id:
            raise HTTPException(404, "payment not found")
        if item["status"] not in ("captured", "partially_refunded"):
            raise HTTPException(409, "payment is not refundable")
        refunded = item["refunded_amount"] + amount
        if refunded > item["amount"]:
            raise HTTPException(422, "refund exceeds the captured amount")
        config.payments.update_item(
            Key={"payment_id": pid},
            UpdateExpression="SET refunded_amount = :r, #s = :s, version = :next",
            ConditionExpression=Attr("version").eq(item["version"]) & Attr("status").eq(item["status"]),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":r": refunded,
                ":s": "refunded" if refunded == item["amount"] else "partially_refunded",
                ":next": item["version"] + 1,
            },
        )
        return item

    try:
        payment = store.retry_on_conflict(apply_refund)
        refund = {
            "refund_id": str(uuid4()),
            "payment_id": pid,
            "merchant_id": merchant.merchant_id,
            "amount": amount,
            "currency": payment["currency"],
            "reason": body.reason,
            "status": "pending",
            "created_at": utcnow(),
        }
        config.refunds.put_item(Item=refund)
    except HTTPException:
        store.release(merchant.merchant_id, idempotency_key)
        raise
    except ClientError as exc:
        store.release(merchant.merchant_id, idempotency_key)
        raise HTTPException(502, detail=f"refund could not be recorded: {exc}")
    store.finish(merchant.merchant_id, idempotency_key, 201, RefundOut(**refund).model_dump(mode="json"))
    return refund


def get_refund(refund_id: str, merchant: Merchant = Depends(current_merchant)):
    resp = config.refunds.get_item(Key={"refund_id": refund_id})
    if "Item" not in resp:
        raise HTTPException(404, "refund not found")
    return resp["Item"]


@router.post("/refunds/{refund_id}/void", status_code=204)
def void_refund(refund_id: UUID, merchant: Merchant = Depends(current_merchant)):
    refund = config.refunds.get_item(Key={"refund_id": str(refund_id)}, ConsistentRead=True).get("Item")
    if refund is None or refund["status"] != "pending":
        raise HTTPException(404, "no pending refund with this id")
    client = config.refunds.meta.client
    try:
        client.transact_write_items(
            TransactItems=[
                {"Update": {
                    "TableName": config.refunds.name,
                    "Key": {"refund_id": str(refund_id)},
                    "UpdateExpression": "SET #s = :voided, voided_at = :now",
                    "ConditionExpression": "#s = :pending",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":voided": "voided", ":pending": "pending", ":now": utcnow()},
                }},
                {"Update": {
                    "TableName": config.payments.name,
                    "Key": {"payment_id": refund["payment_id"]},
                    "UpdateExpression": "SET refunded_amount = refunded_amount - :amt, version = version + :one",
                    "ConditionExpression": "refunded_amount >= :amt",
                    "ExpressionAttributeValues": {":amt": refund["amount"], ":one": 1},
                }},
            ]
        )
    except client.exceptions.TransactionCanceledException:
        raise HTTPException(409, "refund can no longer be voided")
    return Response(status_code=204)


@router.patch("/merchant", response_model=MerchantOut)
def update_merchant(body: MerchantUpdate, merchant: Merchant = Depends(current_merchant)):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(422, "no changes")
    names, values, sets = {}, {":now": utcnow()}, ["updated_at = :now"]
    for i, (field, value) in enumerate(changes.items()):
        names[f"#f{i}"] = field
        values[f":v{i}"] = value
        sets.append(f"#f{i} = :v{i}")
    resp = config.merchants.update_item(
        Key={"merchant_id": merchant.merchant_id},
        UpdateExpression="SET " + ", ".join(sets),
        ConditionExpression=Attr("merchant_id").exists(),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.get("/balance", response_model=BalanceOut)
async def get_balance(merchant: Merchant = Depends(current_merchant)):
    item = config.balances.get_item(Key={"merchant_id": merchant.merchant_id}).get("Item")
    if item is None:
        return BalanceOut(merchant_id=merchant.merchant_id, currency="EUR", available=0, pending=0)
    return item


@router.get("/customers/payments", response_model=list[CustomerPayment])
def customer_payments(
    email: str = Query(max_length=254, pattern=EMAIL),
    merchant: Merchant = Depends(current_merchant),
):
    found, start = [], None
    while True:
        params = {
            "FilterExpression": Attr("customer_email").eq(email.lower()),
            "ProjectionExpression": "payment_id, merchant_id, amount, currency, #s, created_at",
            "ExpressionAttributeNames": {"#s": "status"},
        }
        if start:
            params["ExclusiveStartKey"] = start
        resp = config.payments.scan(**params)
        found.extend(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            return found


router.add_api_route(
    "/payments/{payment_id}/capture", capture_payment, methods=["POST"],
    response_model=PaymentOut, response_model_exclude=HIDDEN,
)
router.add_api_route("/refunds/{refund_id}", get_refund, methods=["GET"])
