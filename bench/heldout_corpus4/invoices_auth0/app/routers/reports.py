from datetime import date
from decimal import Decimal

from boto3.dynamodb.conditions import Key
from fastapi import APIRouter, Depends

from app.auth import Principal, require_user
from app.db.dynamo import table, tenant_pk
from app.models import InvoiceOut

# Included by app.main with dependencies=[Depends(require_user)].
router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/overdue", response_model=list[InvoiceOut])
def overdue_invoices(user: Principal = Depends(require_user)):
    today = date.today().isoformat()
    resp = table().scan(
        FilterExpression="begins_with(sk, :inv) AND due_date < :today AND status = :sent",
        ExpressionAttributeValues={":inv": "INVOICE#", ":today": today, ":sent": "SENT"},
    )
    return resp["Items"]


@router.get("/receivables")
def receivables(user: Principal = Depends(require_user)) -> dict:
    outstanding = {}
    kwargs = {"KeyConditionExpression": Key("pk").eq(tenant_pk(user.org_id)) & Key("sk").begins_with("INVOICE#")}
    while True:
        page = table().query(**kwargs)
        for inv in page["Items"]:
            if inv["status"] == "SENT":
                total = sum(line["quantity"] * Decimal(line["unit_price"]) for line in inv["lines"])
                outstanding[inv["currency"]] = outstanding.get(inv["currency"], 0) + total - inv["amount_paid"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {currency: str(amount) for currency, amount in outstanding.items()}
