from fastapi import FastAPI

from .routes import bookings, ops
from . import ws

app = FastAPI(title="Room bookings", version="1.4.2")

app.include_router(bookings.router)
app.include_router(ops.router)
app.include_router(ops.jobs)
app.include_router(ws.router)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
