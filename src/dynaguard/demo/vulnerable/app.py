"""The vulnerable demo app: `uvicorn dynaguard.demo.vulnerable.app:app`."""

from __future__ import annotations

from fastapi import FastAPI

from dynaguard.demo import auth
from dynaguard.demo.vulnerable import attachments, notes, projects, users

app = FastAPI(
    title="dynaguard demo: notes (vulnerable)",
    description="Deliberately vulnerable. Every flaw is marked in the source.",
    version="1.0",
)
app.include_router(auth.router)
app.include_router(users.router)
app.include_router(projects.router)
app.include_router(notes.router)
app.include_router(attachments.router)


@app.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    """Liveness for the runner."""
    return {"status": "ok"}
