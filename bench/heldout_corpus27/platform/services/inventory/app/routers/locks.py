from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from libs.common.auth import Principal, current_principal

from .. import service
from ..schemas import LockOut, Sku

router = APIRouter(prefix="/items/{sku}/lock", tags=["locks"])


@router.post("", response_model=LockOut, status_code=status.HTTP_201_CREATED)
def take_lock(sku: Sku, who: Principal = Depends(current_principal)):
    service.get_item(sku)
    return service.acquire_lock(sku, who)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
def drop_lock(sku: str, who: Principal = Depends(current_principal)):
    service.locks.delete_item(Key=service.lock_key(sku))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
