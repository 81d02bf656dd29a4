"""SQS consumer: status changes reported by the telemetry pipeline."""
import json
import logging

from botocore.exceptions import ClientError

from . import repository

logger = logging.getLogger("inventory.queue")

VALID_STATUSES = {"in_service", "maintenance", "retired"}


def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            if message.get("status") not in VALID_STATUSES:
                logger.warning("dropping message %s: bad status", record["messageId"])
                continue
            repository.set_status(
                message["tenant_id"],
                message["asset_id"],
                message["status"],
                source=f"telemetry:{message.get('device_id', 'unknown')}",
            )
        except (KeyError, ValueError, ClientError):
            logger.exception("failed to apply %s", record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
