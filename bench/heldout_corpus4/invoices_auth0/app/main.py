from fastapi import Depends, FastAPI

from app import errors
from app.auth import require_user
from app.routers import customers, imports, invoices, ops, payments, reminders, reports

app = FastAPI(title="billing-api", version="2.3.0")
errors.install(app)

app.include_router(invoices.router, prefix="/v1", dependencies=[Depends(require_user)])
app.include_router(payments.router, prefix="/v1")
app.include_router(customers.router, prefix="/v1")
app.include_router(reminders.router, prefix="/v1")
app.include_router(reports.router, prefix="/v1", dependencies=[Depends(require_user)])
app.include_router(ops.router, prefix="/v1")
app.include_router(imports.router, prefix="/v1")


@app.get("/healthz", include_in_schema=False)
def healthz() -> dict:
    return {"status": "ok"}
