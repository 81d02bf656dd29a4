"""Two kinds of callers.

* People (dashboards, scripts) send ``X-API-Key``; the key's SHA-256 is looked up in
  the api-keys table, which gives the account.
* Devices sign the raw request body with their per-device secret:
  ``X-Signature: hex(hmac_sha256(secret, body))``.
"""
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request, Security
from fastapi.security import APIKeyHeader

from .db import API_KEYS, DEVICES, get_client, n, s

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
Client = Annotated[object, Depends(get_client)]


def current_account(client: Client, api_key: str | None = Security(api_key_header)) -> dict:
    if not api_key or len(api_key) > 128:
        raise HTTPException(401, "missing API key")
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    item = client.get_item(TableName=API_KEYS, Key={"key_hash": s(digest)}).get("Item")
    if not item or item.get("revoked", {}).get("BOOL"):
        raise HTTPException(401, "invalid API key")
    return {
        "account_id": item["account_id"]["S"],
        "role": item.get("role", {}).get("S", "member"),
    }


Account = Annotated[dict, Depends(current_account)]


async def verified_device(
    request: Request,
    client: Client,
    device_id: int = Path(ge=1),
    x_signature: str = Header(min_length=64, max_length=64),
) -> dict:
    body = await request.body()
    item = client.get_item(
        TableName=DEVICES,
        Key={"device_id": n(device_id)},
    ).get("Item")
    if not item or item["lifecycle"]["S"] != "active":
        raise HTTPException(401, "unknown device")
    expected = hmac.new(item["secret"]["S"].encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, x_signature):
        raise HTTPException(401, "bad signature")
    return {"device_id": device_id, "account_id": item["account_id"]["S"]}


Device = Annotated[dict, Depends(verified_device)]
