import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from . import routes_admin, routes_nodes, routes_shares

logging.basicConfig(level=logging.INFO)

app = FastAPI(title="fileshare", version="0.9.2")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://files.example.com"],
    allow_methods=["*"],
    allow_headers=["Authorization", "Content-Type"],
)

app.include_router(routes_nodes.router, prefix="/api")
app.include_router(routes_shares.router, prefix="/api")
app.include_router(routes_shares.public)
app.include_router(routes_admin.router, prefix="/api")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
