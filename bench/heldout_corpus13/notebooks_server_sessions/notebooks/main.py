from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .accounts import admin_router, auth_router, me_router
from .notebooks import cells_router, public_router, router as notebooks_router

app = FastAPI(title="notebooks", version="0.9.0")
app.add_middleware(
    CORSMiddleware,
    allow_origins=os.environ.get("CORS_ORIGINS", "http://localhost:5173").split(","),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

for r in (auth_router, me_router, notebooks_router, cells_router, public_router, admin_router):
    app.include_router(r, prefix="/api")


@app.get("/healthz", include_in_schema=False)
def healthz() -> dict:
    return {"ok": True}
