"""Ledger bookkeeping: accounts, entries, transfers."""
from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from fastapi import HTTPException, status

from libs.common import audit
from libs.common.auth import Principal
from libs.common.dynamo import now_iso, table, table_name, transact

SERVICE = "ledger"

accounts = table("accounts")
entries = table("entries")
profiles = table("profiles")


def not_found() -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="account not found")


def entry_id() -> str:
    # sortable: nanosecond clock first, random suffix to break ties
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


def owned_account(account_id: str, who: Principal, consistent: bool = False) -> dict[str, Any]:
    item = accounts.get_item(Key={"account_id": account_id}, ConsistentRead=consistent).get("Item")
    if item is None or item["owner_email"] != who.email:
        raise not_found()
    return item


def open_account(body, who: Principal) -> dict[str, Any]:
    item = {
        **body.model_dump(),
        "account_id": str(uuid.uuid4()),
        "owner_email": who.email,
        "balance": Decimal("0"),
        "status": "open",
        "created_at": now_iso(),
    }
    accounts.put_item(Item=item, ConditionExpression="attribute_not_exists(account_id)")
    return item


def transfer(body, who: Principal) -> None:
    if body.from_account == body.to_account:
        raise HTTPException(status_code=422, detail="same account")
    amount = body.amount
    common = {":me": who.email, ":open": "open", ":amt": amount}
    try:
        transact([
            {
                "Update": {
                    "TableName": table_name("accounts"),
                    "Key": {"account_id": str(body.from_account)},
                    "UpdateExpression": "SET balance = balance - :amt",
                    "ConditionExpression": "owner_email = :me AND #s = :open AND balance >= :amt",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": common,
                }
            },
            {
                "Update": {
                    "TableName": table_name("accounts"),
                    "Key": {"account_id": str(body.to_account)},
                    "UpdateExpression": "SET balance = balance + :amt",
                    "ConditionExpression": "owner_email = :me AND #s = :open",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": common,
                }
            },
            audit.transact_put(
                SERVICE, who.email, "transfer", str(body.from_account),
                to=str(body.to_account), amount=str(amount),
            ),
        ])
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="transfer refused")
        raise HTTPException(status_code=502, detail=e.response["Error"]["Message"])


def sweep(account_id: str, body, who: Principal) -> dict[str, Any]:
    target = owned_account(account_id, who)
    source = accounts.get_item(Key={"account_id": str(body.from_account)}).get("Item")
    if source is None:
        raise not_found()
    if source["currency"] != target["currency"]:
        raise HTTPException(status_code=422, detail="currency mismatch")
    amount = source["balance"]
    if amount <= 0:
        return target
    accounts.meta.client.transact_write_items(TransactItems=[
        {
            "Update": {
                "TableName": table_name("accounts"),
                "Key": {"account_id": str(body.from_account)},
                "UpdateExpression": "SET balance = balance - :amt",
                "ConditionExpression": "balance = :amt",
                "ExpressionAttributeValues": {":amt": amount},
            }
        },
        {
            "Update": {
                "TableName": table_name("accounts"),
                "Key": {"account_id": account_id},
                "UpdateExpression": "SET balance = balance + :amt",
                "ConditionExpression": "owner_email = :me",
                "ExpressionAttributeValues": {":amt": amount, ":me": who.email},
            }
        },
    ])
    return owned_account(account_id, who, consistent=True)
