"""Routes linked from transactional e-mails; the middleware lets /public/ through."""
from fastapi import APIRouter, HTTPException

from .. import repository as repo
from ..schemas import FeedbackIn, OrderId

router = APIRouter(prefix="/public", tags=["public"])


@router.post("/orders/{order_id}/feedback/", status_code=202)
def leave_feedback(order_id: OrderId, body: FeedbackIn):
    order = repo.find_order(order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    repo.record_feedback(order, body.rating, body.comment)
    return {"accepted": True}
