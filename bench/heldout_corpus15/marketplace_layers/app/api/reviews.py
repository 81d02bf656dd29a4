from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from ..auth import CurrentBuyer
from ..services.reviews import ReviewService
from ..wiring import review_service
from .schemas import ReviewIn, ReviewOut

router = APIRouter(tags=["reviews"])
Reviews = Annotated[ReviewService, Depends(review_service)]
SellerId = Annotated[str, Path(pattern=r"^usr_[A-Za-z0-9]{20}$")]


@router.get("/sellers/{seller_id}/reviews", response_model=list[ReviewOut])
def seller_reviews(seller_id: SellerId, svc: Reviews):
    return svc.for_seller(seller_id)


@router.get("/reviews/recent", response_model=list[ReviewOut])
def recent_reviews(svc: Reviews, limit: int = Query(20, ge=1, le=50)):
    return svc.recent(limit)


@router.put("/sellers/{seller_id}/reviews/mine", response_model=ReviewOut)
async def write_review(seller_id: SellerId, body: ReviewIn, buyer: CurrentBuyer, svc: Reviews):
    return svc.write(buyer, seller_id, body.rating, body.text)
