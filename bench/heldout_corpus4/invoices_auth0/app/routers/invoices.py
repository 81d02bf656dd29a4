from decimal import Decimal

from fastapi import APIRouter, Depends, Query

from app.auth import Principal, require_permission, require_user
from app.models import InvoiceId, InvoiceIn, InvoiceOut, InvoicePage, InvoicePatch
from app.services import InvoiceService, get_invoice_service

# Included by app.main with dependencies=[Depends(require_user)].
router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("", response_model=InvoicePage)
def list_invoices(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    who: Principal = Depends(require_user),
    svc: InvoiceService = Depends(get_invoice_service),
):
    return svc.page(who, cursor, limit)


@router.post("", response_model=InvoiceOut, status_code=201)
def create_invoice(
    body: InvoiceIn,
    who: Principal = Depends(require_permission("invoices:write")),
    svc: InvoiceService = Depends(get_invoice_service),
):
    return svc.create(who, body)


@router.get("/{invoice_id}", response_model=InvoiceOut)
def get_invoice(
    invoice_id: InvoiceId,
    who: Principal = Depends(require_user),
    svc: InvoiceService = Depends(get_invoice_service),
):
    return svc.get(who, invoice_id)


@router.get("/{invoice_id}/summary")
async def invoice_summary(
    invoice_id: InvoiceId,
    who: Principal = Depends(require_user),
    svc: InvoiceService = Depends(get_invoice_service),
) -> dict:
    invoice = svc.get(who, invoice_id)
    total = sum(line["quantity"] * Decimal(line["unit_price"]) for line in invoice["lines"])
    return {"invoice_id": invoice_id, "total": str(total), "outstanding": str(total - invoice["amount_paid"])}


@router.patch("/{invoice_id}", response_model=InvoiceOut)
def patch_invoice(
    invoice_id: InvoiceId,
    body: InvoicePatch,
    who: Principal = Depends(require_permission("invoices:write")),
    svc: InvoiceService = Depends(get_invoice_service),
):
    return svc.patch(who, invoice_id, body)


@router.post("/{invoice_id}/send", status_code=202)
def send_invoice(
    invoice_id: InvoiceId,
    who: Principal = Depends(require_permission("invoices:send")),
    svc: InvoiceService = Depends(get_invoice_service),
):
    svc.send(who, invoice_id)
    return {"queued": True}


@router.post("/{invoice_id}/void", response_model=InvoiceOut)
def void_invoice(
    invoice_id: InvoiceId,
    who: Principal = Depends(require_permission("invoices:void")),
    svc: InvoiceService = Depends(get_invoice_service),
):
    return svc.void(who, invoice_id)


@router.delete("/{invoice_id}", status_code=204)
def delete_invoice(
    invoice_id: InvoiceId,
    who: Principal = Depends(require_permission("invoices:delete")),
    svc: InvoiceService = Depends(get_invoice_service),
):
    svc.delete(who, invoice_id)
