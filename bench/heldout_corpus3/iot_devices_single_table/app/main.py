from fastapi import FastAPI
from mangum import Mangum

from .routers import devices, orgs, telemetry

app = FastAPI(title="Fleetly device API", version="0.4.0")
app.include_router(orgs.router)
app.include_router(devices.router)
app.include_router(telemetry.router)


@app.get("/healthz")
def healthz():
    return {"ok": True}


handler = Mangum(app)
