from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .auth import init_firebase
from .db import get_table
from .routes import router
from .services import NotFound


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_firebase()
    get_table().load()
    yield
    get_table.cache_clear()


app = FastAPI(title="workspaces", lifespan=lifespan)
app.include_router(router)


@app.exception_handler(NotFound)
def not_found(request: Request, exc: NotFound):
    return JSONResponse(status_code=404, content={"detail": f"{exc.args[0]} not found"})
