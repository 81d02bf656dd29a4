from __future__ import annotations

from fastapi import FastAPI

from .db import lifespan
from .routers import keys, legacy, projections, snapshots, streams


def create_app() -> FastAPI:
    app = FastAPI(title="event-store", version="1.4.0", lifespan=lifespan)
    app.include_router(streams.router)
    app.include_router(snapshots.router)
    app.include_router(projections.router)
    app.include_router(keys.router)
    app.include_router(legacy.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

    return app


app = create_app()
