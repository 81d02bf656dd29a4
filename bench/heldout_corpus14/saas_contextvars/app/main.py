from __future__ import annotations

import os
import time
from contextlib import asynccontextmanager

import aioboto3
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from .context import TenantContextMiddleware
from .routes import router, webhooks

TABLE_NAME = os.environ.get("TABLE_NAME", "saas-main")
REGION = os.environ.get("AWS_REGION", "eu-west-1")

_started = time.monotonic()
_requests = {"total": 0}


@asynccontextmanager
async def lifespan(app: FastAPI):
    session = aioboto3.Session()
    async with session.resource("dynamodb", region_name=REGION) as ddb:
        app.state.ddb = ddb
        app.state.table = await ddb.Table(TABLE_NAME)
        yield


app = FastAPI(title="Acme Projects", lifespan=lifespan)
app.add_middleware(TenantContextMiddleware)
app.include_router(router)
app.include_router(webhooks)


@app.middleware("http")
async def count_requests(request, call_next):
    _requests["total"] += 1
    return await call_next(request)


@app.get("/healthz")
async def healthz():
    client = app.state.ddb.meta.client
    desc = await client.describe_table(TableName=TABLE_NAME)
    return {"ok": desc["Table"]["TableStatus"] == "ACTIVE"}


@app.get("/metrics", response_class=PlainTextResponse)
async def metrics():
    uptime = time.monotonic() - _started
    return (
        "# TYPE http_requests_total counter\n"
        f"http_requests_total {_requests['total']}\n"
        "# TYPE process_uptime_seconds gauge\n"
        f"process_uptime_seconds {uptime:.0f}\n"
    )
