import logging

import boto3
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from shop.auth import current_seller
from shop.db import CATALOG_TABLE, ENDPOINT
from shop.routers import account, inventory, orders, products, staff, storefront

log = logging.getLogger("storefront")

app = FastAPI(title="storefront")

app.include_router(storefront.router)
app.include_router(products.router, prefix="/v1", dependencies=[Depends(current_seller)])
app.include_router(orders.router, prefix="/v1", dependencies=[Depends(current_seller)])
app.include_router(account.router, prefix="/v1", dependencies=[Depends(current_seller)])
app.include_router(staff.router, prefix="/v1")
app.include_router(inventory.router, prefix="/v1")

_admin_client = boto3.client("dynamodb", endpoint_url=ENDPOINT)


@app.exception_handler(ClientError)
async def dynamodb_error(request: Request, exc: ClientError):
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    log.error("dynamodb %s on %s %s", code, request.method, request.url.path)
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException"):
        return JSONResponse(status_code=503, content={"detail": "busy, retry shortly"})
    return JSONResponse(status_code=500, content={"detail": "internal error"})


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@app.get("/metrics")
async def metrics() -> dict:
    table = _admin_client.describe_table(TableName=CATALOG_TABLE)["Table"]
    return {"catalog_items": table["ItemCount"], "catalog_bytes": table["TableSizeBytes"]}
