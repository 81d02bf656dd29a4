"""Application factory: one aioboto3 resource for the app's lifetime."""
from contextlib import AsyncExitStack, asynccontextmanager

import aioboto3
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .config import settings
from .routes import account, payments, support, webhooks


@asynccontextmanager
async def lifespan(app: FastAPI):
    session = aioboto3.Session(region_name=settings.region)
    async with AsyncExitStack() as stack:
        ddb = await stack.enter_async_context(
            session.resource("dynamodb", endpoint_url=settings.endpoint_url)
        )
        app.state.ddb = ddb
        app.state.users = await ddb.Table(settings.users_table)
        app.state.payments = await ddb.Table(settings.payments_table)
        app.state.quotas = await ddb.Table(settings.quotas_table)
        app.state.idempotency = await ddb.Table(settings.idempotency_table)
        app.state.tickets = await ddb.Table(settings.tickets_table)
        yield


def create_app() -> FastAPI:
    app = FastAPI(title="payments", lifespan=lifespan)

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception):
        return JSONResponse(status_code=500, content={"detail": str(exc)})

    app.include_router(account.router)
    app.include_router(payments.router)
    app.include_router(webhooks.router)
    app.include_router(support.router)
    return app
