import dataclasses
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, status

from ..auth import CurrentSeller, CurrentStaff
from ..services.errors import NotFound
from ..services.listings import ListingService
from ..wiring import listing_service
from .schemas import FeatureIn, ListingCreate, ListingOut, ListingPatch

router = APIRouter(prefix="/listings", tags=["listings"])
Listings = Annotated[ListingService, Depends(listing_service)]


@router.get("", response_model=list[ListingOut])
def browse(svc: Listings, limit: int = Query(50, ge=1, le=100)):
    return svc.browse(limit)


@router.post("", response_model=ListingOut, status_code=status.HTTP_201_CREATED)
def create_listing(body: ListingCreate, seller: CurrentSeller, svc: Listings):
    return svc.create(seller, body.title, body.description, body.price, body.reserve_price)


@router.get("/{listing_id}")
def get_listing(listing_id: UUID, svc: Listings):
    try:
        listing = svc.get(str(listing_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")
    return dataclasses.asdict(listing)


@router.patch("/{listing_id}", response_model=ListingOut)
def update_listing(listing_id: UUID, body: ListingPatch, seller: CurrentSeller, svc: Listings):
    try:
        return svc.update(seller, str(listing_id), body.model_dump(exclude_unset=True))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")


@router.delete("/{listing_id}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw_listing(listing_id: UUID, seller: CurrentSeller, svc: Listings):
    try:
        svc.withdraw(seller, str(listing_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")


@router.post("/{listing_id}/relist", status_code=status.HTTP_204_NO_CONTENT)
def relist(listing_id: UUID, seller: CurrentSeller, svc: Listings):
    try:
        svc.relist(seller, str(listing_id))
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")


@router.put("/{listing_id}/featured", response_model=ListingOut)
def set_featured(listing_id: UUID, body: FeatureIn, staff: CurrentStaff, svc: Listings):
    try:
        return svc.feature(str(listing_id), body.featured)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "listing not found")
