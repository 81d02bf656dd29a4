from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.authentication import AuthenticationError
from starlette.middleware.authentication import AuthenticationMiddleware

from . import admin, pages, shares, spaces
from .auth import BearerTokenBackend


def on_auth_error(request: Request, exc: AuthenticationError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=401)


app = FastAPI(title="team wiki", docs_url="/api-docs")
app.add_middleware(AuthenticationMiddleware, backend=BearerTokenBackend(), on_error=on_auth_error)

app.include_router(spaces.router)
app.include_router(pages.router)
app.include_router(shares.router)
app.include_router(admin.router)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
