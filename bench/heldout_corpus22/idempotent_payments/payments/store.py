"""Idempotency records and optimistic-concurrency retries."""
import hashlib
import json
import random
import time
from typing import Any, Callable, TypeVar

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import HTTPException

from . import config

T = TypeVar("T")


class Replay(Exception):
    def __init__(self, status_code: int, body: Any):
        self.status_code = status_code
        self.body = body


def is_conditional_failure(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def fingerprint(operation: str, payload: dict) -> str:
    raw = json.dumps({"op": operation, **payload}, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _record_id(merchant_id: str, key: str) -> str:
    return f"{merchant_id}#{key}"


def begin(merchant_id: str, key: str, request_hash: str) -> None:
    """Claim the key, or raise Replay with the stored response of the first request."""
    now = int(time.time())
    try:
        config.idempotency.put_item(
            Item={
                "idempotency_id": _record_id(merchant_id, key),
                "merchant_id": merchant_id,
                "request_hash": request_hash,
                "state": "in_progress",
                "created_at": now,
                "expires_at": now + config.IDEMPOTENCY_TTL,
            },
            ConditionExpression=Attr("idempotency_id").not_exists(),
        )
        return
    except ClientError as exc:
        if not is_conditional_failure(exc):
            raise
    record = config.idempotency.get_item(
        Key={"idempotency_id": _record_id(merchant_id, key)}, ConsistentRead=True
    ).get("Item")
    if record is None:
        raise HTTPException(409, "idempotency record expired, retry the request")
    if record["request_hash"] != request_hash:
        raise HTTPException(422, "Idempotency-Key was already used with a different request")
    if record["state"] != "completed":
        raise HTTPException(409, "a request with this Idempotency-Key is still in progress")
    raise Replay(int(record["response_status"]), json.loads(record["response_body"]))


def finish(merchant_id: str, key: str, status_code: int, body: Any) -> None:
    config.idempotency.update_item(
        Key={"idempotency_id": _record_id(merchant_id, key)},
        UpdateExpression="SET #st = :done, response_status = :code, response_body = :body",
        ConditionExpression=Attr("state").eq("in_progress"),
        ExpressionAttributeNames={"#st": "state"},
        ExpressionAttributeValues={
            ":done": "completed",
            ":code": status_code,
            ":body": json.dumps(body, default=str),
        },
    )


def release(merchant_id: str, key: str) -> None:
    """Forget a claim whose request failed, so the client can retry with the same key."""
    try:
        config.idempotency.delete_item(
            Key={"idempotency_id": _record_id(merchant_id, key)},
            ConditionExpression=Attr("state").eq("in_progress"),
        )
    except ClientError as exc:
        if not is_conditional_failure(exc):
            raise


def retry_on_conflict(
    fn: Callable[[], T], *, attempts: int = 5, base_delay: float = 0.04, max_delay: float = 0.8
) -> T:
    """Run a read-modify-write whose write is conditioned on what it read."""
    for attempt in range(attempts):
        try:
            return fn()
        except ClientError as exc:
            if not is_conditional_failure(exc) or attempt == attempts - 1:
                raise
        delay = min(max_delay, base_delay * 2 ** attempt)
        time.sleep(delay * random.uniform(0.5, 1.0))
    raise RuntimeError("unreachable")
