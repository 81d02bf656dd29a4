from fastapi import APIRouter, Depends

from app.auth import Principal, require_permission, require_user
from app.models import InvoiceId, PaymentIn
from app.services import InvoiceService, get_invoice_service

router = APIRouter(
    prefix="/invoices/{invoice_id}/payments",
    tags=["payments"],
    dependencies=[Depends(require_user)],
)


@router.post("", status_code=201)
def record_payment(
    invoice_id: InvoiceId,
    body: PaymentIn,
    who: Principal = Depends(require_permission("payments:record")),
    svc: InvoiceService = Depends(get_invoice_service),
) -> dict:
    payment_id = svc.pay(who, invoice_id, body)
    return {"payment_id": payment_id}
