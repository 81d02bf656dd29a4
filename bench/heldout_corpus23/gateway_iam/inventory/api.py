import base64
import json
import logging
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from mangum import Mangum

from . import config, repository
from .identity import (
    TenantCaller,
    operator_arn,
    require_editor,
    require_tenant_admin,
    tenant_caller,
)
from .schemas import (
    AssetCreate,
    AssetMove,
    AssetOut,
    AssetPage,
    AssetPatch,
    AssetTypeOut,
    AuditEventOut,
    ScanReport,
    StatusChange,
    TenantId,
    TenantOut,
    TransferRequest,
)

logger = logging.getLogger("inventory")
app = FastAPI(title="inventory", root_path="/v1")


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] in (
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    )


@app.exception_handler(ClientError)
async def dynamodb_error_handler(request: Request, exc: ClientError):
    error = exc.response.get("Error", {})
    logger.error("dynamodb error on %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(status_code=502, content={"error": error.get("Code"), "message": error.get("Message")})


def _encode_cursor(last_key: dict | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode()


def _decode_cursor(cursor: str | None, tenant_id: str) -> dict | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise HTTPException(status_code=400, detail="bad cursor")
    if not isinstance(key, dict) or key.get("tenant_id") != tenant_id:
        raise HTTPException(status_code=400, detail="bad cursor")
    return key


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/asset-types", response_model=list[AssetTypeOut])
def asset_types():
    return [AssetTypeOut(**row) for row in repository.list_asset_types()]


@app.get("/tenant", response_model=TenantOut)
async def current_tenant(caller: TenantCaller = Depends(tenant_caller)):
    tenant = repository.get_tenant(caller.tenant_id)
    if tenant is None:
        raise HTTPException(status_code=404, detail="tenant not found")
    return tenant


@app.get("/assets", response_model=AssetPage)
def list_assets(
    cursor: str | None = Query(default=None, max_length=512),
    caller: TenantCaller = Depends(tenant_caller),
):
    start_key = _decode_cursor(cursor, caller.tenant_id)
    resp = repository.query_assets(caller.tenant_id, config.DEFAULT_PAGE_SIZE, start_key)
    return AssetPage(items=resp["Items"], next_cursor=_encode_cursor(resp.get("LastEvaluatedKey")))


@app.get("/assets/search")
def search_assets(
    fields: str | None = Query(default=None, max_length=200),
    type_code: str | None = Query(default=None, max_length=40),
    caller: TenantCaller = Depends(tenant_caller),
):
    extra = {}
    if fields:
        extra["ProjectionExpression"] = fields
    if type_code:
        extra["FilterExpression"] = repository.Attr("type_code").eq(type_code)
    resp = repository.query_assets(caller.tenant_id, config.DEFAULT_PAGE_SIZE, **extra)
    return {"items": resp["Items"], "count": resp["Count"]}


@app.post("/assets", response_model=AssetOut, status_code=201)
def create_asset(body: AssetCreate, caller: TenantCaller = Depends(require_editor)):
    item = {
        "tenant_id": caller.tenant_id,
        "asset_id": str(uuid4()),
        "status": "in_service",
        "version": 1,
        "created_at": repository.now_iso(),
        **body.model_dump(exclude_none=True),
    }
    repository.create_asset(item)
    repository.bump_asset_count(item["tenant_id"], 1)
    return item


@app.get("/assets/{asset_id}", response_model=AssetOut)
def get_asset(asset_id: UUID, caller: TenantCaller = Depends(tenant_caller)):
    item = repository.get_asset(caller.tenant_id, str(asset_id))
    if item is None:
        raise HTTPException(status_code=404, detail="asset not found")
    return item


@app.patch("/assets/{asset_id}", response_model=AssetOut)
def patch_asset(asset_id: UUID, body: AssetPatch, caller: TenantCaller = Depends(require_editor)):
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    try:
        return repository.patch_asset(caller.tenant_id, str(asset_id), changes, body.version)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=409, detail="asset changed, reload and retry")
        raise


@app.post("/assets/{asset_id}/move", status_code=204)
def move_asset(asset_id: UUID, body: AssetMove, caller: TenantCaller = Depends(require_editor)):
    try:
        repository.move_asset(caller.tenant_id, str(asset_id), body.location)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=404, detail="asset not found")
        raise


@app.post("/assets/{asset_id}/retire", status_code=204)
def retire_asset(asset_id: UUID, caller: TenantCaller = Depends(require_tenant_admin)):
    try:
        repository.retire_asset(caller.tenant_id, str(asset_id))
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=409, detail="asset is missing or already retired")
        raise


@app.delete("/assets/{asset_id}", status_code=204)
def delete_asset(asset_id: UUID, caller: TenantCaller = Depends(require_tenant_admin)):
    item = repository.get_asset(caller.tenant_id, str(asset_id))
    if item is None:
        raise HTTPException(status_code=404, detail="asset not found")
    if item["status"] != "retired":
        raise HTTPException(status_code=409, detail="retire the asset before deleting it")
    repository.delete_asset(caller.tenant_id, str(asset_id))


@app.get("/assets/{asset_id}/history", response_model=list[AuditEventOut])
def asset_history(
    asset_id: UUID,
    limit: int = Query(default=20, ge=1, le=100),
    caller: TenantCaller = Depends(tenant_caller),
):
    return repository.asset_history(str(asset_id), limit)


# Maintenance dashboard (calls through the gateway with the tenant authorizer).
@app.put("/tenants/{tenant_id}/assets/{asset_id}/status", status_code=204)
def change_status(tenant_id: str, asset_id: UUID, body: StatusChange):
    repository.set_status(tenant_id, str(asset_id), body.status, source="dashboard")


@app.get("/tenants/{tenant_id}/assets/{asset_id}", response_model=AssetOut, deprecated=True)
def get_tenant_asset(
    tenant_id: TenantId, asset_id: UUID, caller: TenantCaller = Depends(tenant_caller)
):
    item = repository.get_asset(tenant_id, str(asset_id))
    if item is None:
        raise HTTPException(status_code=404, detail="asset not found")
    if tenant_id != caller.tenant_id:
        raise HTTPException(status_code=403, detail="asset belongs to another tenant")
    return item


@app.post("/tenants/{tenant_id}/assets/{asset_id}/transfer", response_model=AssetOut)
def transfer_asset(
    tenant_id: TenantId,
    asset_id: UUID,
    body: TransferRequest,
    caller: TenantCaller = Depends(require_tenant_admin),
):
    item = repository.get_asset(tenant_id, str(asset_id))
    if item is None:
        raise HTTPException(status_code=404, detail="asset not found")
    if body.target_tenant_id == tenant_id:
        raise HTTPException(status_code=400, detail="asset already belongs to this tenant")
    if repository.get_tenant(body.target_tenant_id) is None:
        raise HTTPException(status_code=404, detail="target tenant not found")
    try:
        repository.transfer_asset(item, tenant_id, body.target_tenant_id)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=409, detail="asset cannot be transferred")
        raise
    logger.info("%s moved %s from %s to %s", caller.principal_id, asset_id, tenant_id, body.target_tenant_id)
    return {**item, "tenant_id": body.target_tenant_id}


@app.post("/scan/{tenant_id}/{asset_id}", status_code=202)
def report_scan(tenant_id: TenantId, asset_id: UUID, body: ScanReport):
    try:
        repository.record_scan(tenant_id, str(asset_id), body.location, body.scanner)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=404, detail="unknown asset tag")
        raise
    return {"accepted": True}


@app.get("/ops/assets/stale", response_model=list[AssetOut])
def stale_assets(operator: str = Depends(operator_arn)):
    cutoff = datetime.now(timezone.utc) - timedelta(days=config.STALE_AFTER_DAYS)
    return repository.stale_assets(cutoff.isoformat())


@app.post("/ops/tenants/{tenant_id}/suspend", status_code=204)
def suspend_tenant(tenant_id: TenantId, operator: str = Depends(operator_arn)):
    try:
        repository.suspend_tenant(tenant_id, operator)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=409, detail="tenant is not active")
        raise


handler = Mangum(app, lifespan="off")
