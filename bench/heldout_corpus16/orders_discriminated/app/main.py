from fastapi import Depends, FastAPI

from app import admin, orders, webhooks
from app.auth import require_role

app = FastAPI(title="orders")

app.include_router(orders.router)
app.include_router(orders.me_router)
app.include_router(webhooks.router)
app.include_router(admin.router, prefix="/admin", dependencies=[Depends(require_role("ops"))])


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
