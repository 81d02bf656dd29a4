from __future__ import annotations

from fastapi import FastAPI
from mangum import Mangum

from libs.common.models import Health

from .routers import accounts, legacy, profile, transfers

app = FastAPI(title="ledger", version="1.8.2")

app.include_router(accounts.router)
app.include_router(accounts.admin)
app.include_router(transfers.router)
app.include_router(profile.router)
app.include_router(legacy.router)
app.include_router(legacy.ops)


@app.get("/healthz", response_model=Health)
def healthz():
    return Health(service="ledger")


handler = Mangum(app, lifespan="off")
