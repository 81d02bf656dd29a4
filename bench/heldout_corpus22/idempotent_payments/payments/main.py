from fastapi import FastAPI
from mangum import Mangum

from . import api, ops
from .models import PaymentOut

app = FastAPI(title="payments", version="2.3.0")
app.include_router(api.router)
app.include_router(ops.router)

# The support console still posts overrides to the pre-/ops/v2 path.
app.add_api_route(
    "/ops/payments/{payment_id}/status",
    ops.override_status,
    methods=["POST"],
    response_model=PaymentOut,
    tags=["ops"],
)


@app.get("/healthz", include_in_schema=False)
def healthz():
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
