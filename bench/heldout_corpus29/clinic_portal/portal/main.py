import logging

from fastapi import FastAPI

from .routers import appointments, callbacks, me, notes, patients

logging.basicConfig(level=logging.INFO)

app = FastAPI(title="Clinic patient portal", version="2.3.1")

app.include_router(me.router)
app.include_router(patients.router)
app.include_router(notes.router)
app.include_router(appointments.router)
app.include_router(callbacks.router)


@app.get("/healthz", tags=["ops"])
def healthz():
    return {"status": "ok"}
