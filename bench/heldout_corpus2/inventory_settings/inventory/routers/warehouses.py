from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from ..repositories import WarehouseRepository
from ..schemas import Warehouse, WarehouseCode
from ..security import Principal, require_api_key

router = APIRouter(prefix="/warehouses", tags=["warehouses"], dependencies=[Depends(require_api_key)])


@router.post("", response_model=Warehouse, status_code=201)
def create_warehouse(body: Warehouse, principal: Principal = Depends(require_api_key),
                     warehouses: WarehouseRepository = Depends(WarehouseRepository)):
    item = {**body.model_dump(), "tenant_id": principal.tenant_id, "is_active": True,
            "created_at": datetime.now(timezone.utc).isoformat()}
    try:
        warehouses.put(item, ConditionExpression="attribute_not_exists(code)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "Warehouse code already in use") from exc
        raise
    return item


@router.get("/{code}", response_model=Warehouse)
def get_warehouse(code: str, principal: Principal = Depends(require_api_key),
                  warehouses: WarehouseRepository = Depends(WarehouseRepository)):
    warehouse = warehouses.load(tenant_id=principal.tenant_id, code=code)
    if warehouse is None:
        raise HTTPException(404, "Warehouse not found")
    return warehouse


@router.patch("/{code}", response_model=Warehouse)
def update_warehouse(code: WarehouseCode, body: Warehouse,
                     principal: Principal = Depends(require_api_key),
                     warehouses: WarehouseRepository = Depends(WarehouseRepository)):
    return warehouses.update(
        {"tenant_id": principal.tenant_id, "code": code},
        UpdateExpression="SET name = :n, manager_email = :m, updated_at = :now",
        ExpressionAttributeValues={":n": body.name, ":m": body.manager_email,
                                   ":now": datetime.now(timezone.utc).isoformat()},
    )


@router.delete("/{code}", status_code=204)
def delete_warehouse(code: WarehouseCode, principal: Principal = Depends(require_api_key),
                     warehouses: WarehouseRepository = Depends(WarehouseRepository)):
    key = {"tenant_id": principal.tenant_id, "code": code}
    warehouse = warehouses.get(**key)
    if warehouse is None:
        raise HTTPException(404, "Warehouse not found")
    if warehouse.get("is_active"):
        raise HTTPException(409, "Deactivate the warehouse before deleting it")
    try:
        warehouses.delete(key, ConditionExpression="attribute_exists(code) AND is_active = :no",
                          ExpressionAttributeValues={":no": False})
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "Warehouse changed, retry") from exc
        raise
