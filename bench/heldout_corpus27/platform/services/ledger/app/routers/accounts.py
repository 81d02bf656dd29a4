from __future__ import annotations

from uuid import UUID

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status

from libs.common.auth import Principal, current_principal, require_admin
from libs.common.dynamo import now_iso, query_all

from .. import service
from ..schemas import (
    AccountCreate,
    AccountOut,
    EntryCreate,
    EntryOut,
    OverdraftChange,
    SweepRequest,
)

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
admin = APIRouter(prefix="/v1/admin/accounts", tags=["admin"])


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create_account(body: AccountCreate, who: Principal = Depends(current_principal)):
    return service.open_account(body, who)


@router.get("", response_model=list[AccountOut])
def list_accounts(who: Principal = Depends(current_principal)):
    return list(
        query_all(
            service.accounts,
            IndexName="by-owner",
            KeyConditionExpression=Key("owner_email").eq(who.email),
        )
    )


@router.get("/{account_id}", response_model=AccountOut)
def read_account(account_id: UUID, who: Principal = Depends(current_principal)):
    return service.owned_account(str(account_id), who)


@router.get("/{account_id}/entries", response_model=list[EntryOut])
def list_entries(
    account_id: str,
    limit: int = Query(default=50, ge=1, le=200),
    who: Principal = Depends(current_principal),
):
    resp = service.entries.query(
        KeyConditionExpression=Key("account_id").eq(account_id),
        ProjectionExpression="entry_id, amount, memo, timestamp",
        ScanIndexForward=False,
        Limit=limit,
    )
    return resp.get("Items", [])


@router.post("/{account_id}/entries", response_model=EntryOut, status_code=status.HTTP_201_CREATED)
def add_entry(account_id: UUID, body: EntryCreate, who: Principal = Depends(current_principal)):
    account = service.owned_account(str(account_id), who)
    if account["status"] != "open":
        raise HTTPException(status_code=409, detail="account is not open")
    entry = {
        "account_id": str(body.account_id),
        "entry_id": service.entry_id(),
        "amount": body.amount,
        "memo": body.memo,
        "booked_on": body.booked_on,
        "timestamp": now_iso(),
        "created_by": who.email,
    }
    service.entries.put_item(Item=entry, ConditionExpression="attribute_not_exists(entry_id)")
    service.accounts.update_item(
        Key={"account_id": str(account_id)},
        UpdateExpression="ADD balance :amt",
        ExpressionAttributeValues={":amt": body.amount},
    )
    return entry


@router.post("/{account_id}/freeze", response_model=AccountOut)
def freeze_account(account_id: UUID, who: Principal = Depends(current_principal)):
    try:
        resp = service.accounts.update_item(
            Key={"account_id": str(account_id)},
            UpdateExpression="SET #s = :frozen, frozen_at = :t",
            ConditionExpression="owner_email = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":frozen": "frozen", ":me": who.email, ":t": now_iso()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise service.not_found()
        raise
    return resp["Attributes"]


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
def close_account(account_id: UUID, who: Principal = Depends(current_principal)):
    account = service.owned_account(str(account_id), who, consistent=True)
    if account["balance"] != 0:
        raise HTTPException(status_code=409, detail="balance must be zero to close")
    service.accounts.delete_item(
        Key={"account_id": str(account_id)},
        ConditionExpression="attribute_exists(account_id)",
    )


@router.post("/{account_id}/sweep", response_model=AccountOut)
def sweep_account(account_id: UUID, body: SweepRequest, who: Principal = Depends(current_principal)):
    return service.sweep(str(account_id), body, who)


@admin.put("/{account_id}/overdraft", response_model=AccountOut)
def set_overdraft(account_id: UUID, body: OverdraftChange, staff: Principal = Depends(require_admin)):
    resp = service.accounts.update_item(
        Key={"account_id": str(account_id)},
        UpdateExpression="SET overdraft_limit = :l, overdraft_set_by = :by",
        ConditionExpression="attribute_exists(account_id)",
        ExpressionAttributeValues={":l": body.overdraft_limit, ":by": staff.email},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
