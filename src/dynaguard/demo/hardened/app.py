"""The hardened demo app: `uvicorn dynaguard.demo.hardened.app:app`."""

from __future__ import annotations

from fastapi import FastAPI

from dynaguard.demo import auth
from dynaguard.demo.hardened import attachments, notes, projects, users
from dynaguard.demo.hardened.db import lifespan
from dynaguard.guard.fastapi import install_error_handlers

app = FastAPI(
    title="dynaguard demo: notes (hardened)",
    description="The vulnerable app's API, built on dynaguard.guard.",
    version="1.0",
    lifespan=lifespan,
)
install_error_handlers(app)
app.include_router(auth.router)
app.include_router(users.router)
app.include_router(projects.router)
app.include_router(notes.router)
app.include_router(attachments.router)


@app.get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """Liveness for the runner."""
    return {"status": "ok"}
