"""Notifications, sent from BackgroundTasks after the response is out."""
import logging
from typing import Optional

import boto3
from botocore.exceptions import ClientError

from .settings import get_settings

log = logging.getLogger(__name__)
_settings = get_settings()
_ses = boto3.client("ses", region_name=_settings.aws_region)
_sns = boto3.client("sns", region_name=_settings.aws_region)


def _email(to: Optional[str], subject: str, text: str) -> None:
    if not to:
        return
    try:
        _ses.send_email(
            Source=_settings.notify_sender,
            Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
        )
    except ClientError:
        log.exception("email to %s failed", to)


def appointment_requested(doctor_email: Optional[str], appointment_id: str, starts_at: str) -> None:
    _email(
        doctor_email,
        "New appointment request",
        f"A patient requested an appointment at {starts_at} (ref {appointment_id}).",
    )


def appointment_changed(phone: Optional[str], what: str, starts_at: str) -> None:
    if not phone:
        return
    try:
        _sns.publish(
            PhoneNumber=phone,
            Message=f"Your appointment on {starts_at} was {what}.",
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": _settings.sms_sender_id}
            },
        )
    except ClientError:
        log.exception("sms failed")
