from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from ..codec import from_item, n, s, to_item
from ..config import Settings
from ..deps import Account, current_account, get_ddb, get_settings
from ..schemas import CreditTransfer, ProfileUpdate

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.post("/me", status_code=201)
async def register_account(account: Account = Depends(current_account), ddb=Depends(get_ddb),
                           settings: Settings = Depends(get_settings)):
    item = {"account_id": account.id, "email": account.email, "plan": "free",
            "credit_balance": settings.signup_credits}
    try:
        await ddb.put_item(TableName=settings.accounts_table, Item=to_item(item),
                           ConditionExpression="attribute_not_exists(account_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "Account already registered") from exc
        raise
    return {"account_id": account.id}


@router.get("/me")
async def read_account(account: Account = Depends(current_account), ddb=Depends(get_ddb),
                       settings: Settings = Depends(get_settings)):
    resp = await ddb.get_item(TableName=settings.accounts_table,
                              Key={"account_id": s(account.id)})
    if "Item" not in resp:
        raise HTTPException(404, "Account not registered")
    return from_item(resp["Item"])


@router.patch("/me")
async def update_profile(body: ProfileUpdate, account: Account = Depends(current_account),
                         ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise HTTPException(422, "Nothing to update")
    await ddb.update_item(
        TableName=settings.accounts_table,
        Key={"account_id": s(account.id)},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(account_id)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={f":{k}": s(v) for k, v in changes.items()},
    )
    return {"updated": sorted(changes)}


@router.post("/me/transfers", status_code=202)
async def transfer_credits(body: CreditTransfer, account: Account = Depends(current_account),
                           ddb=Depends(get_ddb), settings: Settings = Depends(get_settings)):
    if body.to_account_id == account.id:
        raise HTTPException(422, "Cannot transfer credits to yourself")
    try:
        await ddb.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": settings.accounts_table,
                "Key": {"account_id": s(account.id)},
                "UpdateExpression": "SET credit_balance = credit_balance - :amount",
                "ConditionExpression": "credit_balance >= :amount",
                "ExpressionAttributeValues": {":amount": n(body.amount)},
            }},
            {"Update": {
                "TableName": settings.accounts_table,
                "Key": {"account_id": s(body.to_account_id)},
                "UpdateExpression": "SET credit_balance = credit_balance + :amount",
                "ConditionExpression": "attribute_exists(account_id)",
                "ExpressionAttributeValues": {":amount": n(body.amount)},
            }},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(409, "Transfer rejected") from exc
        raise
    return {"transferred": body.amount, "to": body.to_account_id}
