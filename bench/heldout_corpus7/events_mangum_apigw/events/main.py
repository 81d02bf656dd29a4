"""Event ticketing API behind an API Gateway HTTP API (Cognito JWT authorizer), on Lambda."""

import logging

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from mangum import Mangum

from . import routes_events, routes_registrations

log = logging.getLogger("events")

app = FastAPI(title="events", root_path="/prod")
app.include_router(routes_events.router)
app.include_router(routes_registrations.router)


@app.exception_handler(ClientError)
async def on_client_error(request: Request, exc: ClientError) -> JSONResponse:
    log.error("dynamodb: %s", exc.response["Error"])
    return JSONResponse(status_code=503, content={"detail": "temporarily unavailable"})


handler = Mangum(app, lifespan="off", api_gateway_base_path="/prod")
