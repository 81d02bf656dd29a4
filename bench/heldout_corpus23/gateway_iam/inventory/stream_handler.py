"""DynamoDB Streams consumer on the assets table: appends an audit trail."""
import logging

from boto3.dynamodb.types import TypeDeserializer

from . import config, repository

logger = logging.getLogger("inventory.stream")
_deserializer = TypeDeserializer()

AUDITED_FIELDS = ("status", "location", "owner_team", "tenant_id")


def _plain(image: dict | None) -> dict:
    return {k: _deserializer.deserialize(v) for k, v in (image or {}).items()}


def _audit_entry(record: dict) -> dict:
    change = record["dynamodb"]
    keys = _plain(change["Keys"])
    old, new = _plain(change.get("OldImage")), _plain(change.get("NewImage"))
    changed = sorted(f for f in AUDITED_FIELDS if old.get(f) != new.get(f))
    return {
        "asset_id": keys["asset_id"],
        "event_key": f"{change['ApproximateCreationDateTime']}#{record['eventID']}",
        "tenant_id": keys["tenant_id"],
        "event": record["eventName"],
        "changed": changed,
        "before": {f: old[f] for f in changed if f in old},
        "after": {f: new[f] for f in changed if f in new},
    }


def handler(event, context):
    requests = [{"PutRequest": {"Item": _audit_entry(r)}} for r in event.get("Records", [])]
    for start in range(0, len(requests), 25):
        chunk = requests[start : start + 25]
        resp = repository.audit.batch_write_item(RequestItems={config.AUDIT_TABLE: chunk})
        if resp.get("UnprocessedItems"):
            logger.warning("unprocessed audit items: %s", resp["UnprocessedItems"])
    return {"written": len(requests)}
