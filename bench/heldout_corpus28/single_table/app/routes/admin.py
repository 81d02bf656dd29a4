from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import JSONResponse

from .. import repository as repo
from ..auth import require_admin
from ..db import is_conditional_failure
from ..schemas import OrderId, TierIn, UserId

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.delete("/orders/{order_id}/", status_code=204)
def admin_delete_order(order_id: OrderId):
    order = repo.find_order(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    try:
        repo.delete_order(order["owner_id"], order_id)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=404, detail="order not found")
        return JSONResponse(
            status_code=502,
            content={"error": "delete failed", "reason": exc.response["Error"]["Message"]},
        )
    return Response(status_code=204)


@router.post("/users/{user_id}/tier/", status_code=204)
def admin_set_tier(user_id: UserId, body: TierIn):
    try:
        repo.set_tier(user_id, body.tier)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=404, detail="no such user")
        raise
    return Response(status_code=204)
