import os
from typing import Any

import stripe
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, Header, HTTPException, Request

from app.db import TABLE, get_client, order_key, to_item

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

STRIPE_WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]


@router.post("/stripe")
async def stripe_webhook(
    request: Request,
    stripe_signature: str = Header(alias="Stripe-Signature"),
    client: Any = Depends(get_client),
):
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(payload, stripe_signature, STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.error.SignatureVerificationError):
        raise HTTPException(status_code=400, detail="invalid signature")

    if event["type"] != "payment_intent.succeeded":
        return {"received": True, "ignored": event["type"]}

    intent = event["data"]["object"]
    order_id = intent["metadata"].get("order_id")
    if not order_id:
        return {"received": True, "ignored": "no order"}
    paid_at = str(intent["created"])
    try:
        await client.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": TABLE,
                "Key": order_key(order_id),
                "UpdateExpression": "SET #s = :paid, paid_at = :at",
                "ConditionExpression": "#s = :placed AND total_cents = :amount",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":paid": {"S": "paid"}, ":placed": {"S": "placed"},
                    ":at": {"S": paid_at}, ":amount": {"N": str(intent["amount_received"])},
                },
            }},
            {"Put": {
                "TableName": TABLE,
                "Item": to_item({"pk": f"ORDER#{order_id}", "sk": "PAYMENT",
                                 "payment_intent": intent["id"], "paid_at": paid_at,
                                 "amount_cents": intent["amount_received"]}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        # Stripe retries deliveries: an already-paid order is not an error.
        return {"received": True, "duplicate": True}
    return {"received": True}
