"""The v0 API, kept for the accounting firm's nightly sync until it moves to v1.

v0 predates IAP: one shared HTTP Basic credential from the environment.
"""
from __future__ import annotations

import os
import secrets
from uuid import UUID

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from libs.common.dynamo import now_iso, table_name

from .. import service
from ..schemas import EntryCreate, LegacyTransfer

basic = HTTPBasic(realm="ledger-v0")


def verify_basic(credentials: HTTPBasicCredentials = Depends(basic)) -> str:
    expected_user = os.environ.get("LEDGER_V0_USER", "")
    expected_password = os.environ.get("LEDGER_V0_PASSWORD", "")
    user_ok = secrets.compare_digest(credentials.username.encode(), expected_user.encode())
    password_ok = secrets.compare_digest(credentials.password.encode(), expected_password.encode())
    if not (expected_user and user_ok and password_ok):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="invalid credentials",
            headers={"WWW-Authenticate": 'Basic realm="ledger-v0"'},
        )
    return credentials.username


router = APIRouter(prefix="/v0", tags=["v0"], deprecated=True, dependencies=[Depends(verify_basic)])
ops = APIRouter(prefix="/v0/ops", tags=["v0"], deprecated=True)


@router.get("/balances/{account_id}")
def legacy_balance(account_id: str = Path(pattern=r"^[0-9a-f-]{36}$")):
    resp = service.accounts.get_item(Key={"account_id": account_id})
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="unknown account")
    return resp["Item"]


@router.post("/transfers", status_code=status.HTTP_201_CREATED)
def legacy_transfer(body: LegacyTransfer, client: str = Depends(verify_basic)):
    try:
        service.accounts.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table_name("accounts"),
                        "Key": {"account_id": body.source},
                        "UpdateExpression": "SET balance = balance - :amt",
                        "ConditionExpression": "#s = :open AND balance >= :amt",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":amt": body.amount, ":open": "open"},
                    }
                },
                {
                    "Update": {
                        "TableName": table_name("accounts"),
                        "Key": {"account_id": body.target},
                        "UpdateExpression": "SET balance = balance + :amt",
                        "ConditionExpression": "#s = :open",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":amt": body.amount, ":open": "open"},
                    }
                },
            ],
            ClientRequestToken=body.reference,
        )
    except ClientError as e:
        if e.response["Error"]["Code"] in {"TransactionCanceledException", "IdempotentParameterMismatchException"}:
            raise HTTPException(status_code=409, detail="transfer refused")
        raise
    return {"reference": body.reference, "by": client}


@router.post("/entries", status_code=status.HTTP_201_CREATED)
def legacy_entry(body: EntryCreate, client: str = Depends(verify_basic)):
    entry_id = service.entry_id()
    service.accounts.meta.client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table_name("entries"),
                    "Item": {
                        "account_id": str(body.account_id),
                        "entry_id": entry_id,
                        "amount": body.amount,
                        "memo": body.memo,
                        "booked_on": body.booked_on,
                        "timestamp": now_iso(),
                        "created_by": f"v0:{client}",
                    },
                    "ConditionExpression": "attribute_not_exists(entry_id)",
                }
            },
            {
                "Update": {
                    "TableName": table_name("accounts"),
                    "Key": {"account_id": str(body.account_id)},
                    "UpdateExpression": "ADD balance :amt",
                    "ConditionExpression": "attribute_exists(account_id)",
                    "ExpressionAttributeValues": {":amt": body.amount},
                }
            },
        ]
    )
    return {"entry_id": entry_id}


@ops.post("/accounts/{account_id}/reopen")
def reopen_account(account_id: UUID):
    service.accounts.update_item(
        Key={"account_id": str(account_id)},
        UpdateExpression="SET #s = :open REMOVE frozen_at",
        ConditionExpression="attribute_exists(account_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":open": "open"},
    )
    return {"account_id": str(account_id), "status": "open"}


@ops.get("/ping")
def ping():
    return {"pong": now_iso()}
