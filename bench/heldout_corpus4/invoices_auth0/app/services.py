from fastapi import Depends, HTTPException

from app.auth import Principal
from app.db.dynamo import decode_cursor, encode_cursor
from app.db.repository import DynamoInvoiceRepository, InvoiceRepository
from app.models import InvoiceIn, InvoicePage, InvoicePatch, PaymentIn


class InvoiceService:
    def __init__(self, repo: InvoiceRepository):
        self.repo = repo

    def get(self, who: Principal, invoice_id: str) -> dict:
        return self.repo.get(who.org_id, invoice_id)

    def page(self, who: Principal, cursor: str | None, limit: int) -> InvoicePage:
        items, last = self.repo.list(who.org_id, decode_cursor(cursor), limit)
        return InvoicePage(items=items, cursor=encode_cursor(last))

    def create(self, who: Principal, body: InvoiceIn) -> dict:
        return self.repo.create(who.org_id, body.model_dump(mode="json"), created_by=who.sub)

    def patch(self, who: Principal, invoice_id: str, body: InvoicePatch) -> dict:
        changes = body.model_dump(mode="json", exclude_unset=True, exclude={"version"})
        if not changes:
            raise HTTPException(422, "nothing to change")
        return self.repo.update(who.org_id, invoice_id, changes, expected_version=body.version)

    def send(self, who: Principal, invoice_id: str) -> None:
        self.repo.mark_sent(who.org_id, invoice_id)

    def void(self, who: Principal, invoice_id: str) -> dict:
        return self.repo.void(who.org_id, invoice_id)

    def delete(self, who: Principal, invoice_id: str) -> None:
        self.repo.delete(who.org_id, invoice_id)

    def pay(self, who: Principal, invoice_id: str, body: PaymentIn) -> str:
        return self.repo.record_payment(who.org_id, invoice_id, body.amount, paid_by=who.sub)


def get_invoice_repo() -> InvoiceRepository:
    return DynamoInvoiceRepository()


def get_invoice_service(repo: InvoiceRepository = Depends(get_invoice_repo)) -> InvoiceService:
    return InvoiceService(repo)
