from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import auth, routes
from .service import NoteNotFound

app = FastAPI(title="notes")
app.include_router(auth.router)
app.include_router(routes.router)
app.include_router(routes.users_router)


@app.exception_handler(NoteNotFound)
async def note_not_found(request: Request, exc: NoteNotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": "Note not found"})


@app.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}
