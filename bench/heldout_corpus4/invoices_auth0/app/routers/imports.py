from fastapi import APIRouter, Header

from app.db.bulk import bulk_put_customers
from app.models import CustomerIn

# CSV importer calls this from the back office worker.
router = APIRouter(prefix="/imports", tags=["imports"])


@router.post("/customers", status_code=202)
def import_customers(rows: list[CustomerIn], x_tenant_id: str = Header(max_length=40)) -> dict:
    count = bulk_put_customers(x_tenant_id, rows)
    return {"imported": count}
