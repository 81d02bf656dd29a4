import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .admin import admin_app
from .public import install_error_handlers, router

logging.basicConfig(level=logging.INFO)

app = FastAPI(title="Support desk")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://help.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.include_router(router)
install_error_handlers(app)
app.mount("/admin", admin_app)


@app.get("/healthz", include_in_schema=False)
def healthz():
    return {"status": "ok"}
