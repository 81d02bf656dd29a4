import hashlib
import hmac
import json
import os
import time
import uuid
from decimal import Decimal
from typing import List, Optional
from uuid import UUID

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request, status
from pynamodb.exceptions import DoesNotExist, PutError

from .models import LedgerEntry, Wallet
from .schemas import (
    EntryOut,
    HandleIn,
    LimitIn,
    PendingOut,
    TransferIn,
    TransferOut,
    WalletOut,
    WalletPrefs,
)
from .security import current_claims, require_admin

WALLETS = os.getenv("WALLETS_TABLE", "wallet-wallets")
LEDGER = os.getenv("LEDGER_TABLE", "wallet-ledger")
TRANSFERS = os.getenv("TRANSFERS_TABLE", "wallet-transfers")
IDEMPOTENCY = os.getenv("IDEMPOTENCY_TABLE", "wallet-idempotency")
HANDLES = os.getenv("HANDLES_TABLE", "wallet-handles")
TOPUP_SECRET = os.environ.get("TOPUP_WEBHOOK_SECRET", "").encode()

dynamodb = boto3.resource("dynamodb")
wallets = dynamodb.Table(WALLETS)
ledger = dynamodb.Table(LEDGER)
transfers = dynamodb.Table(TRANSFERS)
handles = dynamodb.Table(HANDLES)
ddb = dynamodb.meta.client

app = FastAPI(title="wallet-ledger")


def _now() -> int:
    return int(time.time())


def _entry_id(kind: str) -> str:
    return f"{time.time_ns()}#{kind}#{uuid.uuid4().hex[:8]}"


@app.post("/wallets", response_model=WalletOut, status_code=201)
def open_wallet(claims: dict = Depends(current_claims)):
    wallet = Wallet(user_id=claims["sub"])
    try:
        wallet.save(condition=Wallet.user_id.does_not_exist())
    except PutError:
        raise HTTPException(status.HTTP_409_CONFLICT, "Wallet already open")
    return wallet


@app.get("/users/{user_id}/wallet", response_model=WalletOut)
def read_wallet(
    user_id: str = Path(max_length=64),
    claims: dict = Depends(current_claims),
):
    if user_id != claims["sub"]:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Wallet not found")
    try:
        return Wallet.get(user_id)
    except DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Wallet not found")


@app.get("/users/{user_id}/wallet/statement")
def export_statement(
    user_id: str,
    since: Optional[str] = Query(None, pattern=r"^\d+$"),
    claims: dict = Depends(current_claims),
):
    condition = Key("wallet_id").eq(user_id)
    if since:
        condition = condition & Key("entry_id").gte(since)
    kwargs = {"KeyConditionExpression": condition}
    entries = []
    while True:
        page = ledger.query(**kwargs)
        entries.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {"user_id": user_id, "count": len(entries), "entries": entries}


@app.post("/users/{user_id}/wallet/transfers", response_model=TransferOut, status_code=201)
def transfer(
    body: TransferIn,
    user_id: str = Path(max_length=64),
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=64),
    claims: dict = Depends(current_claims),
):
    if user_id != claims["sub"]:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Wallet not found")
    if body.to_user_id == user_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Cannot pay yourself")
    transfer_id = str(uuid.uuid4())
    amount = body.amount
    try:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": IDEMPOTENCY,
                        "Item": {"key": f"{user_id}#{idempotency_key}", "transfer_id": transfer_id,
                                 "expires_at": _now() + 86400},
                        "ConditionExpression": "attribute_not_exists(#k)",
                        "ExpressionAttributeNames": {"#k": "key"},
                    }
                },
                {
                    "Update": {
                        "TableName": WALLETS,
                        "Key": {"user_id": user_id},
                        "UpdateExpression": "SET balance = balance - :amt",
                        "ConditionExpression": "balance >= :amt AND #st = :active",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":amt": amount, ":active": "active"},
                    }
                },
                {
                    "Update": {
                        "TableName": WALLETS,
                        "Key": {"user_id": body.to_user_id},
                        "UpdateExpression": "SET balance = balance + :amt",
                        "ConditionExpression": "attribute_exists(user_id) AND #st = :active",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":amt": amount, ":active": "active"},
                    }
                },
                {
                    "Put": {
                        "TableName": TRANSFERS,
                        "Item": {"transfer_id": transfer_id, "sender_id": user_id,
                                 "recipient_id": body.to_user_id, "amount": amount,
                                 "status": "completed", "created_at": _now()},
                        "ConditionExpression": "attribute_not_exists(transfer_id)",
                    }
                },
                {
                    "Put": {
                        "TableName": LEDGER,
                        "Item": {"wallet_id": user_id, "entry_id": _entry_id("debit"), "kind": "debit",
                                 "amount": str(amount), "counterparty": body.to_user_id, "memo": body.memo},
                        "ConditionExpression": "attribute_not_exists(entry_id)",
                    }
                },
                {
                    "Put": {
                        "TableName": LEDGER,
                        "Item": {"wallet_id": body.to_user_id, "entry_id": _entry_id("credit"), "kind": "credit",
                                 "amount": str(amount), "counterparty": user_id, "memo": body.memo},
                        "ConditionExpression": "attribute_not_exists(entry_id)",
                    }
                },
            ]
        )
    except ddb.exceptions.TransactionCanceledException as exc:
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise HTTPException(status.HTTP_409_CONFLICT, "Duplicate Idempotency-Key")
        raise HTTPException(status.HTTP_409_CONFLICT, "Insufficient funds or wallet not active")
    return {"transfer_id": transfer_id, "status": "completed", "amount": amount}


@app.post("/transfers/legacy", deprecated=True)
def legacy_transfer(body: TransferIn, claims: dict = Depends(current_claims)):
    """v1 clients (app < 3.2). Kept until they are gone."""
    me = claims["sub"]
    sender = wallets.get_item(Key={"user_id": me}).get("Item")
    if sender is None or sender["status"] != "active":
        raise HTTPException(status.HTTP_409_CONFLICT, "Wallet not active")
    try:
        wallets.update_item(
            Key={"user_id": me},
            UpdateExpression="SET balance = balance - :amt",
            ConditionExpression="balance >= :amt",
            ExpressionAttributeValues={":amt": body.amount},
        )
        wallets.update_item(
            Key={"user_id": body.to_user_id},
            UpdateExpression="SET balance = balance + :amt",
            ExpressionAttributeValues={":amt": body.amount},
        )
    except ClientError as e:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(e))
    return {"ok": True}


@app.get("/transfers/pending", response_model=PendingOut)
def pending_transfers(claims: dict = Depends(current_claims)):
    me = claims["sub"]
    resp = transfers.scan(FilterExpression=Attr("status").eq("pending"))
    mine = [t for t in resp["Items"] if me in (t["sender_id"], t["recipient_id"])]
    return {"items": mine}


@app.post("/transfers/{transfer_id}/refund", response_model=TransferOut)
def refund(transfer_id: UUID, claims: dict = Depends(current_claims)):
    item = transfers.get_item(Key={"transfer_id": str(transfer_id)}).get("Item")
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Transfer not found")
    amount = item["amount"]
    try:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TRANSFERS,
                        "Key": {"transfer_id": str(transfer_id)},
                        "UpdateExpression": "SET #st = :refunded",
                        "ConditionExpression": "#st = :completed",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":refunded": "refunded", ":completed": "completed"},
                    }
                },
                {
                    "Update": {
                        "TableName": WALLETS,
                        "Key": {"user_id": item["recipient_id"]},
                        "UpdateExpression": "SET balance = balance - :amt",
                        "ConditionExpression": "balance >= :amt",
                        "ExpressionAttributeValues": {":amt": amount},
                    }
                },
                {
                    "Update": {
                        "TableName": WALLETS,
                        "Key": {"user_id": item["sender_id"]},
                        "UpdateExpression": "SET balance = balance + :amt",
                        "ConditionExpression": "attribute_exists(user_id)",
                        "ExpressionAttributeValues": {":amt": amount},
                    }
                },
            ]
        )
    except ddb.exceptions.TransactionCanceledException:
        raise HTTPException(status.HTTP_409_CONFLICT, "Transfer cannot be refunded")
    return {"transfer_id": transfer_id, "status": "refunded", "amount": amount}


@app.post("/topups/callback", status_code=204)
async def topup_callback(request: Request, x_signature: str = Header(...)):
    raw = await request.body()
    expected = hmac.new(TOPUP_SECRET, raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, x_signature):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Bad signature")
    event = json.loads(raw, parse_float=Decimal)
    amount = Decimal(str(event["amount"]))
    if amount <= 0:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Bad amount")
    try:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": LEDGER,
                        "Item": {"wallet_id": event["user_id"], "entry_id": f"topup#{event['id']}",
                                 "kind": "topup", "amount": str(amount), "counterparty": "psp"},
                        "ConditionExpression": "attribute_not_exists(entry_id)",
                    }
                },
                {
                    "Update": {
                        "TableName": WALLETS,
                        "Key": {"user_id": event["user_id"]},
                        "UpdateExpression": "SET balance = balance + :amt",
                        "ConditionExpression": "attribute_exists(user_id)",
                        "ExpressionAttributeValues": {":amt": amount},
                    }
                },
            ]
        )
    except ddb.exceptions.TransactionCanceledException:
        pass  # already applied (redelivery) or unknown wallet; the PSP must not retry


@app.patch("/me/wallet", response_model=WalletOut)
def update_preferences(body: WalletPrefs, claims: dict = Depends(current_claims)):
    try:
        wallet = Wallet.get(claims["sub"])
    except DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Wallet not found")
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(wallet, field, value)
    wallet.save()
    return wallet


@app.post("/me/wallet/close", response_model=WalletOut)
def close_wallet(claims: dict = Depends(current_claims)):
    try:
        resp = wallets.update_item(
            Key={"user_id": claims["sub"]},
            UpdateExpression="SET #st = :closed, closed_at = :now",
            ConditionExpression="balance = :zero",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":closed": "closed", ":now": _now(), ":zero": 0},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "Balance must be zero")
        raise
    return resp["Attributes"]


@app.get("/me/ledger/search", response_model=List[EntryOut])
def search_ledger(
    attr: str = Query("memo", max_length=32),
    q: str = Query(..., min_length=1, max_length=100),
    claims: dict = Depends(current_claims),
):
    resp = ledger.query(
        KeyConditionExpression=Key("wallet_id").eq(claims["sub"]),
        FilterExpression=f"contains({attr}, :q)",
        ExpressionAttributeValues={":q": q},
    )
    return resp["Items"]


@app.post("/me/handle", status_code=201)
def claim_handle(body: HandleIn, claims: dict = Depends(current_claims)):
    handles.put_item(Item={"handle": body.handle, "user_id": claims["sub"], "claimed_at": _now()})
    return {"handle": body.handle}


@app.post("/admin/wallets/{user_id}/freeze", response_model=WalletOut)
def freeze(user_id: str = Path(max_length=64), admin: dict = Depends(require_admin)):
    try:
        resp = wallets.update_item(
            Key={"user_id": user_id},
            UpdateExpression="SET #st = :frozen, frozen_by = :admin",
            ConditionExpression="#st = :active",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":frozen": "frozen", ":active": "active", ":admin": admin["sub"]},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "Wallet is not active")
        raise
    return resp["Attributes"]


@app.post("/admin/wallets/{user_id}/unfreeze", response_model=WalletOut)
def unfreeze(user_id: str = Path(max_length=64), admin: dict = Depends(require_admin)):
    try:
        wallet = Wallet.get(user_id)
    except DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Wallet not found")
    if wallet.status != "frozen":
        raise HTTPException(status.HTTP_409_CONFLICT, "Wallet is not frozen")
    wallet.update(actions=[Wallet.status.set("active")])
    return wallet


@app.put("/admin/wallets/{user_id}/limit", response_model=WalletOut)
def set_limit(body: LimitIn, user_id: str = Path(max_length=64), admin: dict = Depends(require_admin)):
    resp = wallets.update_item(
        Key={"user_id": user_id},
        UpdateExpression="SET daily_limit = :limit",
        ConditionExpression="attribute_exists(user_id)",
        ExpressionAttributeValues={":limit": body.daily_limit},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@app.post("/admin/transfers/{transfer_id}/void", status_code=204)
def void_transfer(transfer_id: UUID, admin: dict = Depends(require_admin)):
    transfers.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TRANSFERS,
                    "Key": {"transfer_id": str(transfer_id)},
                    "UpdateExpression": "SET #st = :void",
                    "ConditionExpression": "#st = :pending",
                    "ExpressionAttributeNames": {"#st": "status"},
                    "ExpressionAttributeValues": {":void": "void", ":pending": "pending"},
                }
            }
        ]
    )


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
