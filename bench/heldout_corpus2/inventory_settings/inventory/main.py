import logging

from fastapi import FastAPI

from .config import get_settings
from .db import get_resource
from .routers import admin, catalog, counts, stock, warehouses

logging.basicConfig(level=logging.INFO)

app = FastAPI(title="Inventory API", version="1.4.0")

for module in (catalog, warehouses, stock, counts, admin):
    app.include_router(module.router)


@app.get("/healthz", include_in_schema=False)
def healthz():
    table = get_resource().meta.client.describe_table(TableName=get_settings().products_table)
    return {"status": "ok", "products_table": table["Table"]["TableStatus"]}
