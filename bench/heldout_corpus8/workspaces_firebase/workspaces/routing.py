"""A route class that times every request and turns AWS errors into 502s."""
import logging
import time
from typing import Callable

from botocore.exceptions import ClientError
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

log = logging.getLogger("workspaces")


class AuditedRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            started = time.perf_counter()
            try:
                response = await original(request)
            except ClientError as exc:
                log.exception("dynamodb call failed on %s %s", request.method, request.url.path)
                error = exc.response.get("Error", {})
                return JSONResponse(status_code=502, content={"detail": error.get("Message"), "code": error.get("Code")})
            log.info("%s %s -> %s in %.1f ms", request.method, request.url.path, response.status_code,
                     (time.perf_counter() - started) * 1000)
            return response

        return handler
