from __future__ import annotations

from fastapi import APIRouter, Depends, status

from libs.common.auth import Principal, current_principal

from .. import service
from ..schemas import TransferRequest

router = APIRouter(prefix="/v1/transfers", tags=["transfers"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def create_transfer(body: TransferRequest, who: Principal = Depends(current_principal)):
    service.transfer(body, who)
    return {"status": "accepted"}
