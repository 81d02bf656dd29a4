import base64
import json
import secrets
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from .auth import Principal, current_org, hash_key
from .db import (
    CREDIT_NOTES,
    INVOICES,
    KEYS,
    ORGS,
    USAGE,
    from_ddb,
    get_ddb,
    money,
    plans_table,
)
from .schemas import CreditNoteApply, InvoiceOut, OrgOut, OrgPatch, UsageEvent

PLAN_LIMITS = {"free": 1_000, "team": 50_000, "enterprise": 2_000_000}
EXPORT_LIMITS = {"free": 3, "team": 50, "enterprise": 1_000}

router = APIRouter(prefix="/v1", tags=["tenant"])
public = APIRouter(tags=["public"])


def _period() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m")


def _invoice_out(raw: dict) -> InvoiceOut:
    item = from_ddb(raw)
    return InvoiceOut(
        invoice_id=item["invoice_id"],
        period=item["period"],
        status=item["status"],
        total=item["total"],
        amount_due=item["amount_due"],
    )


@router.get("/org", response_model=OrgOut)
async def get_org(org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    resp = await ddb.get_item(TableName=ORGS, Key={"org_id": {"S": org.org_id}})
    item = from_ddb(resp["Item"])
    return OrgOut(**{k: item.get(k) for k in OrgOut.model_fields})


@router.patch("/org", response_model=OrgOut)
async def update_org(body: OrgPatch, org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(400, "nothing to update")
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": {"S": str(v)} for k, v in changes.items()}
    resp = await ddb.update_item(
        TableName=ORGS,
        Key={"org_id": {"S": org.org_id}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    item = from_ddb(resp["Attributes"])
    return OrgOut(**{k: item.get(k) for k in OrgOut.model_fields})


@public.get("/v1/plans")
async def list_plans():
    resp = plans_table.scan()
    return [
        {"plan": p["plan"], "monthly_calls": int(p["monthly_calls"]), "price": str(p["price"])}
        for p in resp["Items"]
    ]


@router.post("/usage", status_code=202)
async def record_usage(event: UsageEvent, org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    limit = PLAN_LIMITS.get(org.plan, 0)
    try:
        resp = await ddb.update_item(
            TableName=USAGE,
            Key={"org_id": {"S": org.org_id}, "period": {"S": f"{_period()}#{event.metric}"}},
            UpdateExpression="ADD used :n",
            ConditionExpression="attribute_not_exists(used) OR used < :limit",
            ExpressionAttributeValues={":n": {"N": str(event.units)}, ":limit": {"N": str(limit)}},
            ReturnValues="UPDATED_NEW",
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise HTTPException(429, "plan limit reached for this month")
    return {"used": int(resp["Attributes"]["used"]["N"]), "limit": limit}


@router.post("/exports/invoices")
async def export_invoices(org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    key = {"org_id": {"S": org.org_id}, "period": {"S": f"{_period()}#exports"}}
    counter = await ddb.get_item(TableName=USAGE, Key=key)
    used = int(counter.get("Item", {}).get("used", {}).get("N", "0"))
    if used >= EXPORT_LIMITS.get(org.plan, 0):
        raise HTTPException(429, "export limit reached for this month")
    await ddb.update_item(
        TableName=USAGE,
        Key=key,
        UpdateExpression="ADD used :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    resp = await ddb.query(
        TableName=INVOICES,
        IndexName="by_org",
        KeyConditionExpression="org_id = :o",
        ExpressionAttributeValues={":o": {"S": org.org_id}},
    )
    return resp["Items"]


@router.get("/invoices", response_model=dict)
async def list_invoices(
    cursor: Optional[str] = Query(default=None, max_length=512),
    org: Principal = Depends(current_org),
    ddb=Depends(get_ddb),
):
    kwargs = {
        "TableName": INVOICES,
        "IndexName": "by_org",
        "KeyConditionExpression": "org_id = :o",
        "ExpressionAttributeValues": {":o": {"S": org.org_id}},
        "Limit": 25,
    }
    if cursor:
        start = json.loads(base64.urlsafe_b64decode(cursor))
        if start.get("org_id", {}).get("S") != org.org_id:
            raise HTTPException(400, "bad cursor")
        kwargs["ExclusiveStartKey"] = start
    resp = await ddb.query(**kwargs)
    nxt = resp.get("LastEvaluatedKey")
    return {
        "items": [_invoice_out(i).model_dump(mode="json") for i in resp["Items"]],
        "next": base64.urlsafe_b64encode(json.dumps(nxt).encode()).decode() if nxt else None,
    }


@router.get("/invoices/overdue", response_model=list[InvoiceOut])
async def overdue_invoices(org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    resp = await ddb.scan(
        TableName=INVOICES,
        FilterExpression="#st = :overdue",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":overdue": {"S": "overdue"}},
    )
    return [_invoice_out(i) for i in resp["Items"] if i["org_id"]["S"] == org.org_id]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(
    invoice_id: str = Path(pattern=r"^inv_[0-9a-f]{32}$"),
    org: Principal = Depends(current_org),
    ddb=Depends(get_ddb),
):
    resp = await ddb.get_item(TableName=INVOICES, Key={"invoice_id": {"S": invoice_id}})
    if "Item" not in resp:
        raise HTTPException(404, "invoice not found")
    if resp["Item"]["org_id"]["S"] != org.org_id:
        raise HTTPException(403, "invoice belongs to another organisation")
    return _invoice_out(resp["Item"])


@router.post("/credit-notes/{note_id}/apply", response_model=InvoiceOut)
async def apply_credit_note(
    body: CreditNoteApply,
    note_id: str = Path(pattern=r"^cn_[0-9a-f]{32}$"),
    org: Principal = Depends(current_org),
    ddb=Depends(get_ddb),
):
    resp = await ddb.get_item(TableName=CREDIT_NOTES, Key={"note_id": {"S": note_id}})
    note = resp.get("Item")
    if note is None or note["org_id"]["S"] != org.org_id:
        raise HTTPException(404, "credit note not found")
    amount = Decimal(note["amount"]["N"])
    try:
        await ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": CREDIT_NOTES,
                        "Key": {"note_id": {"S": note_id}},
                        "UpdateExpression": "SET #st = :applied, applied_to = :inv",
                        "ConditionExpression": "#st = :issued AND org_id = :org",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {
                            ":applied": {"S": "applied"},
                            ":issued": {"S": "issued"},
                            ":inv": {"S": body.invoice_id},
                            ":org": {"S": org.org_id},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": INVOICES,
                        "Key": {"invoice_id": {"S": body.invoice_id}},
                        "UpdateExpression": "SET amount_due = amount_due - :amt",
                        "ConditionExpression": "#st = :open AND amount_due >= :amt",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":amt": money(amount), ":open": {"S": "open"}},
                    }
                },
            ]
        )
    except ddb.exceptions.TransactionCanceledException:
        raise HTTPException(409, "credit note already applied or invoice not open")
    except ClientError as e:
        raise HTTPException(502, detail=e.response["Error"]["Message"])
    inv = await ddb.get_item(TableName=INVOICES, Key={"invoice_id": {"S": body.invoice_id}})
    return _invoice_out(inv["Item"])


@router.post("/keys", status_code=201)
async def create_key(org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    raw = "bk_" + secrets.token_urlsafe(32)
    await ddb.put_item(
        TableName=KEYS,
        Item={
            "key_hash": {"S": hash_key(raw)},
            "org_id": {"S": org.org_id},
            "created_at": {"S": datetime.now(timezone.utc).isoformat()},
        },
        ConditionExpression="attribute_not_exists(key_hash)",
    )
    return {"api_key": raw}


@router.delete("/keys/{key_hash}", status_code=204)
async def revoke_key(key_hash: str, org: Principal = Depends(current_org), ddb=Depends(get_ddb)):
    if key_hash == org.key_hash:
        raise HTTPException(400, "cannot revoke the key in use")
    await ddb.delete_item(TableName=KEYS, Key={"key_hash": {"S": key_hash}})
