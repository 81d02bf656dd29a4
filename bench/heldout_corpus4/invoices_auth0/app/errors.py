import logging

from botocore.exceptions import ClientError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

log = logging.getLogger("billing")


class InvoiceNotFound(Exception):
    pass


class VersionConflict(Exception):
    pass


class InvalidTransition(Exception):
    def __init__(self, invoice_id: str, target: str):
        super().__init__(invoice_id, target)
        self.target = target


def install(app: FastAPI) -> None:
    @app.exception_handler(InvoiceNotFound)
    async def _not_found(request: Request, exc: InvoiceNotFound):
        return JSONResponse(status_code=404, content={"detail": "invoice not found"})

    @app.exception_handler(VersionConflict)
    async def _conflict(request: Request, exc: VersionConflict):
        return JSONResponse(status_code=409, content={"detail": "invoice was modified, reload it"})

    @app.exception_handler(InvalidTransition)
    async def _transition(request: Request, exc: InvalidTransition):
        return JSONResponse(status_code=409, content={"detail": f"cannot move invoice to {exc.target}"})

    @app.exception_handler(ClientError)
    async def _dynamo(request: Request, exc: ClientError):
        log.exception("dynamodb error on %s", request.url.path)
        return JSONResponse(status_code=503, content={"detail": "storage unavailable"})
