import hashlib
from dataclasses import dataclass

from fastapi import HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from . import config

api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)

MTLS_SUBJECT = "x-amzn-mtls-clientcert-subject"


@dataclass(frozen=True)
class Merchant:
    merchant_id: str
    name: str
    livemode: bool


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def current_merchant(raw_key: str | None = Security(api_key_header)) -> Merchant:
    if not raw_key or not raw_key.startswith(("sk_live_", "sk_test_")):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing or malformed API key",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    record = config.api_keys.get_item(Key={"key_hash": key_digest(raw_key)}).get("Item")
    if record is None or record.get("revoked_at"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    merchant = config.merchants.get_item(Key={"merchant_id": record["merchant_id"]}).get("Item")
    if merchant is None or merchant.get("account_status") != "active":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "merchant account is not active")
    return Merchant(
        merchant_id=merchant["merchant_id"],
        name=merchant["name"],
        livemode=raw_key.startswith("sk_live_"),
    )


def require_ops_client(request: Request) -> str:
    """The ALB terminates mutual TLS and forwards the verified client subject."""
    subject = request.headers.get(MTLS_SUBJECT)
    if subject is None or subject not in config.OPS_CLIENT_SUBJECTS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "client certificate not allowed")
    return subject
