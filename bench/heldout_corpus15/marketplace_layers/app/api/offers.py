from typing import Annotated
from uuid import UUID

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, status

from ..auth import CurrentBuyer, CurrentSeller, CurrentUser
from ..services.errors import Conflict, Forbidden, NotFound
from ..services.offers import OfferService
from ..wiring import offer_service
from .schemas import OfferCreate, OfferOut, SaleOut

router = APIRouter(tags=["offers"])
Offers = Annotated[OfferService, Depends(offer_service)]


@router.post("/listings/{listing_id}/offers", response_model=OfferOut, status_code=201)
def make_offer(listing_id: UUID, body: OfferCreate, buyer: CurrentBuyer, svc: Offers):
    try:
        return svc.make_offer(buyer, str(listing_id), body.amount, body.message)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")
    except Conflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.get("/listings/{listing_id}/offers", response_model=list[OfferOut])
def offers_for_listing(listing_id: UUID, seller: CurrentSeller, svc: Offers):
    try:
        return svc.for_listing(seller, str(listing_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")


@router.get("/offers/mine", response_model=list[OfferOut])
def my_offers(buyer: CurrentBuyer, svc: Offers):
    return svc.mine(buyer)


@router.get("/offers/{offer_id}", response_model=OfferOut)
def get_offer(offer_id: str, user: CurrentUser, svc: Offers):
    try:
        return svc.get(user, offer_id)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "offer not found")
    except Forbidden:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your offer")


@router.post("/offers/{offer_id}/accept", response_model=OfferOut)
def accept_offer(offer_id: UUID, seller: CurrentSeller, svc: Offers):
    try:
        return svc.accept(seller, str(offer_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "offer not found")
    except Conflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc))
    except ClientError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.response["Error"]["Message"])


@router.post("/offers/{offer_id}/decline", status_code=204)
def decline_offer(offer_id: UUID, seller: CurrentSeller, svc: Offers):
    try:
        svc.decline(seller, str(offer_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "offer not found")
    except Conflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.delete("/offers/{offer_id}", status_code=204)
def withdraw_offer(offer_id: UUID, buyer: CurrentBuyer, svc: Offers):
    try:
        svc.withdraw(buyer, str(offer_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "offer not found")


@router.get("/me/sales", response_model=list[SaleOut])
def my_sales(seller: CurrentSeller, svc: Offers):
    return svc.my_sales(seller)
