"""Platform operations: Auth0 role `billing-ops` carries the tenants:manage permission."""
from boto3.dynamodb.conditions import Attr, Key
from fastapi import APIRouter, Depends

from app.auth import require_permission
from app.db.dynamo import table, tenant_pk
from app.models import InvoiceId, InvoiceOut, TenantId

router = APIRouter(
    prefix="/ops",
    tags=["ops"],
    dependencies=[Depends(require_permission("tenants:manage"))],
)


@router.get("/invoices/stuck", response_model=list[InvoiceOut])
def stuck_invoices():
    items, kwargs = [], {"FilterExpression": Attr("sk").begins_with("INVOICE#") & Attr("status").eq("SENDING")}
    while True:
        page = table().scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.get("/tenants/{tenant_id}/invoices", response_model=list[InvoiceOut])
def tenant_invoices(tenant_id: TenantId):
    resp = table().query(
        KeyConditionExpression=Key("pk").eq(tenant_pk(tenant_id)) & Key("sk").begins_with("INVOICE#"),
    )
    return resp["Items"]


@router.post("/tenants/{tenant_id}/invoices/{invoice_id}/reopen", response_model=InvoiceOut)
def reopen_invoice(tenant_id: TenantId, invoice_id: InvoiceId):
    resp = table().update_item(
        Key={"pk": tenant_pk(tenant_id), "sk": f"INVOICE#{invoice_id}"},
        UpdateExpression="SET #s = :draft REMOVE voided_at, sent_at",
        ConditionExpression="attribute_exists(sk)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":draft": "DRAFT"},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
