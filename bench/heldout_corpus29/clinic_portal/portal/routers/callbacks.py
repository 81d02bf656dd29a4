"""Delivery receipts posted by the SMS gateway."""
from botocore.exceptions import ClientError
from fastapi import APIRouter, status

from ..db import now_iso
from ..repositories import appointments
from ..schemas import SmsStatus

router = APIRouter(prefix="/callbacks", tags=["callbacks"])


@router.post("/sms", status_code=status.HTTP_204_NO_CONTENT)
def sms_delivery_receipt(body: SmsStatus):
    try:
        appointments.table.update_item(
            Key={"mrn": body.mrn, "appointment_id": str(body.appointment_id)},
            UpdateExpression="SET reminder_delivered = :d, reminder_message_id = :m, reminder_at = :t",
            ConditionExpression="attribute_exists(appointment_id)",
            ExpressionAttributeValues={
                ":d": body.delivered,
                ":m": body.message_id,
                ":t": now_iso(),
            },
        )
    except ClientError as e:
        if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
