import logging
from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, status

from ..db import Tables, get_tables
from ..schemas import PaymentEvent

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
log = logging.getLogger(__name__)


@router.post("/payments", status_code=status.HTTP_204_NO_CONTENT)
async def payment_event(event: PaymentEvent, tables: Tables = Depends(get_tables)):
    """Payment provider callback (configured in the provider's dashboard)."""
    new_status = "PLACED" if event.outcome == "succeeded" else "PAYMENT_FAILED"
    try:
        await tables.orders.update_item(
            Key={"order_id": event.order_id},
            UpdateExpression="SET #s = :new, paid_cents = :amt, paid_at = :now",
            ConditionExpression="#s = :pending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":new": new_status,
                ":amt": event.amount_cents,
                ":now": datetime.now(timezone.utc).isoformat(),
                ":pending": "PENDING_PAYMENT",
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        log.info("ignoring duplicate payment event for %s", event.order_id)
