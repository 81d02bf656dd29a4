from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .api import admin_router, books_router, shelves_router, users_router
from .config import settings

app = FastAPI(title=settings.project_name)

app.include_router(users_router, prefix="/users", tags=["users"])
app.include_router(shelves_router, prefix="/shelves", tags=["shelves"])
app.include_router(books_router, prefix="/books", tags=["books"])
app.include_router(admin_router, prefix="/admin", tags=["admin"])


@app.exception_handler(ClientError)
async def dynamodb_error_handler(request: Request, exc: ClientError) -> JSONResponse:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return JSONResponse(status_code=409, content={"detail": "Conflict"})
    return JSONResponse(status_code=500, content={"detail": f"Storage error: {exc}"})

