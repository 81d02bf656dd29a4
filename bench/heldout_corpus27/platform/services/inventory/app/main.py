from __future__ import annotations

import logging

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from mangum import Mangum

from libs.common.models import Health

from .routers import items, locks, reservations

log = logging.getLogger("inventory")

app = FastAPI(title="inventory", version="2.3.0")
app.include_router(items.router)
app.include_router(items.admin)
app.include_router(locks.router)
app.include_router(reservations.router)


@app.exception_handler(ClientError)
async def dynamodb_error(request: Request, exc: ClientError) -> JSONResponse:
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    log.warning("dynamodb error on %s %s: %s", request.method, request.url.path, code)
    status_code = 503 if code in {"ProvisionedThroughputExceededException", "ThrottlingException"} else 502
    return JSONResponse(status_code=status_code, content={"error": code, "message": str(exc)})


@app.get("/healthz", response_model=Health)
def healthz():
    return Health(service="inventory")


handler = Mangum(app, lifespan="off")
