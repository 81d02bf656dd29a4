from fastapi import FastAPI

from .db import lifespan
from .internal import admin, hooks
from .tenant import public, router

app = FastAPI(title="billing-tenants", lifespan=lifespan)
app.include_router(public)
app.include_router(router)
app.include_router(admin)
app.include_router(hooks)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
