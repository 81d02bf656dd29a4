from __future__ import annotations

import logging

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .routers import account, dashboard, orders, support

log = logging.getLogger("bff")

app = FastAPI(title="Customer portal BFF", version="2.3.0")

app.include_router(dashboard.router)
app.include_router(orders.router)
app.include_router(support.router)
app.include_router(account.router)
app.include_router(account.admin)


@app.exception_handler(ClientError)
async def dynamodb_error(request: Request, exc: ClientError) -> JSONResponse:
    error = exc.response.get("Error", {})
    log.warning("dynamodb error on %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        status_code=502,
        content={"error": error.get("Code", "Unknown"), "message": error.get("Message", str(exc))},
    )


@app.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}
