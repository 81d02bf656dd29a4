import logging

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import members, projects, tasks
from .db import lifespan

logger = logging.getLogger("tracker")

app = FastAPI(title="Tracker API", version="2.3.1", lifespan=lifespan)

app.include_router(projects.router)
app.include_router(tasks.router)
app.include_router(tasks.search_router)
app.include_router(members.router)


@app.exception_handler(ClientError)
async def dynamodb_error_handler(request: Request, exc: ClientError):
    logger.exception("DynamoDB call failed on %s", request.url.path)
    error = exc.response.get("Error", {})
    status = 429 if error.get("Code") == "ProvisionedThroughputExceededException" else 502
    return JSONResponse(
        status_code=status,
        content={"error": error.get("Code", "InternalError"), "message": error.get("Message", str(exc))},
    )


@app.get("/healthz")
async def healthz():
    return {"ok": True}
