from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import agents, comments, reports, tickets

app = FastAPI(title="helpdesk", version="2.3.0")
app.include_router(tickets.router)
app.include_router(comments.router)
app.include_router(agents.router)
app.include_router(reports.router)


@app.exception_handler(ClientError)
async def dynamodb_error_handler(request: Request, exc: ClientError) -> JSONResponse:
    error = exc.response.get("Error", {})
    status = 409 if error.get("Code") == "ConditionalCheckFailedException" else 502
    return JSONResponse(
        status_code=status,
        content={"detail": "storage error", "code": error.get("Code"), "reason": error.get("Message")},
    )


@app.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}
