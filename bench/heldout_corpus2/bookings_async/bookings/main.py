import logging
from contextlib import asynccontextmanager

import aioboto3
from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .config import load_settings
from .routers import accounts, bookings, resources

logger = logging.getLogger("bookings")


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = load_settings()
    session = aioboto3.Session()
    async with session.client("dynamodb", region_name=settings.region,
                              endpoint_url=settings.endpoint_url) as client:
        app.state.settings = settings
        app.state.ddb = client
        yield


app = FastAPI(title="Bookings", lifespan=lifespan)
app.include_router(bookings.router)
app.include_router(accounts.router)
app.include_router(resources.router)


@app.exception_handler(ClientError)
async def dynamodb_error_handler(request: Request, exc: ClientError) -> JSONResponse:
    logger.warning("DynamoDB error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=502, content={"detail": "Storage error", "reason": str(exc)})
