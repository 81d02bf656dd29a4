from fastapi import FastAPI

from . import commands, devices, ingest

app = FastAPI(title="firehose")
app.include_router(devices.router)
app.include_router(commands.router)
app.include_router(ingest.router)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
