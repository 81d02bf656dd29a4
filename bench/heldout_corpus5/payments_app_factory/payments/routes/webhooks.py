"""Payment service provider callbacks, signed with a shared secret."""
import hashlib
import hmac
import json

from botocore.exceptions import ClientError
from fastapi import APIRouter, Header, HTTPException, Request, status

from ..config import settings
from ..deps import Idempotency, Payments

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

EVENT_STATUS = {
    "payment.authorized": "pending",
    "payment.captured": "captured",
    "payment.failed": "failed",
    "payment.refunded": "refunded",
}


def verify_signature(raw: bytes, signature: str) -> None:
    expected = hmac.new(settings.webhook_secret.encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bad signature")


@router.post("/psp", status_code=200)
async def psp_webhook(
    request: Request,
    payments: Payments,
    idempotency: Idempotency,
    x_psp_signature: str = Header(...),
):
    raw = await request.body()
    verify_signature(raw, x_psp_signature)
    event = json.loads(raw)
    new_status = EVENT_STATUS.get(event.get("type"))
    if new_status is None:
        return {"ignored": True}
    try:
        await idempotency.put_item(
            Item={"idem_key": f"evt#{event['id']}", "payment_id": event["payment_id"]},
            ConditionExpression="attribute_not_exists(idem_key)",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return {"duplicate": True}
        raise
    await payments.update_item(
        Key={"payment_id": event["payment_id"]},
        UpdateExpression="SET #s = :s, psp_reference = :ref",
        ConditionExpression="attribute_exists(payment_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": new_status, ":ref": event.get("reference", "")},
    )
    return {"ok": True}
