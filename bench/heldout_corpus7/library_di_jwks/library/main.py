"""Library lending API: FastAPI + DynamoDB, wired with dependency-injector."""

import logging
import os

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from .auth import current_user
from .containers import Container
from .routers import books, loans, members, reviews

log = logging.getLogger("library")


def create_app() -> FastAPI:
    container = Container()
    container.config.from_dict(
        {
            "aws_region": os.environ.get("AWS_REGION", "eu-west-1"),
            "dynamodb_endpoint": os.environ.get("DYNAMODB_ENDPOINT"),
            "tables": {
                "books": os.environ.get("BOOKS_TABLE", "library-books"),
                "loans": os.environ.get("LOANS_TABLE", "library-loans"),
                "members": os.environ.get("MEMBERS_TABLE", "library-members"),
                "reviews": os.environ.get("REVIEWS_TABLE", "library-reviews"),
            },
        }
    )
    container.wire(modules=[books, loans, members, reviews])

    app = FastAPI(title="library", version="1.4.0")
    app.container = container

    authenticated = [Depends(current_user)]
    app.include_router(books.router, prefix="/books", dependencies=authenticated)
    app.include_router(loans.router, prefix="/loans", dependencies=authenticated)
    app.include_router(members.router, prefix="/members", dependencies=authenticated)
    app.include_router(reviews.router, prefix="/books/{isbn}/reviews")

    @app.exception_handler(ClientError)
    async def dynamodb_error(request: Request, exc: ClientError) -> JSONResponse:
        log.exception("DynamoDB call failed on %s", request.url.path)
        return JSONResponse(status_code=503, content={"detail": "storage unavailable"})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True}

    return app


app = create_app()
