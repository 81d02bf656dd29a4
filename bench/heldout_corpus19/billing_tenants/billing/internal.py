"""Routes used by the finance back office and the bank-transfer reconciler."""
import uuid
from datetime import datetime, timezone
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException, Path

from .auth import require_internal
from .db import INVOICES, get_ddb, money
from .schemas import InvoiceCreate, InvoiceOut, PaymentNotice

admin = APIRouter(prefix="/internal", tags=["internal"], dependencies=[Depends(require_internal)])
hooks = APIRouter(prefix="/webhooks", tags=["webhooks"])


@admin.post("/invoices", response_model=InvoiceOut, status_code=201)
async def create_invoice(body: InvoiceCreate, ddb=Depends(get_ddb)):
    invoice_id = f"inv_{uuid.uuid4().hex}"
    total = sum((line.amount for line in body.lines), Decimal("0"))
    await ddb.put_item(
        TableName=INVOICES,
        Item={
            "invoice_id": {"S": invoice_id},
            "org_id": {"S": body.org_id},
            "period": {"S": body.period.isoformat()},
            "status": {"S": "open"},
            "total": money(total),
            "amount_due": money(total),
            "lines": {
                "L": [
                    {"M": {"description": {"S": ln.description}, "amount": money(ln.amount)}}
                    for ln in body.lines
                ]
            },
            "created_at": {"S": datetime.now(timezone.utc).isoformat()},
        },
        ConditionExpression="attribute_not_exists(invoice_id)",
    )
    return InvoiceOut(
        invoice_id=invoice_id,
        period=body.period.isoformat(),
        status="open",
        total=total,
        amount_due=total,
    )


@admin.post("/invoices/{invoice_id}/void", status_code=204)
async def void_invoice(invoice_id: str = Path(pattern=r"^inv_[0-9a-f]{32}$"), ddb=Depends(get_ddb)):
    await ddb.update_item(
        TableName=INVOICES,
        Key={"invoice_id": {"S": invoice_id}},
        UpdateExpression="SET status = :void, voided_at = :now",
        ExpressionAttributeValues={
            ":void": {"S": "void"},
            ":now": {"S": datetime.now(timezone.utc).isoformat()},
        },
    )


@hooks.post("/bank-transfer", status_code=204)
async def bank_transfer_received(notice: PaymentNotice, ddb=Depends(get_ddb)):
    # called by the reconciler job inside the VPC
    try:
        await ddb.update_item(
            TableName=INVOICES,
            Key={"invoice_id": {"S": notice.invoice_id}},
            UpdateExpression="SET amount_due = amount_due - :amt, last_payment_ref = :ref",
            ConditionExpression="#st = :open AND amount_due >= :amt",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":amt": money(notice.amount),
                ":ref": {"S": notice.reference},
                ":open": {"S": "open"},
            },
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "invoice not open or overpaid")
