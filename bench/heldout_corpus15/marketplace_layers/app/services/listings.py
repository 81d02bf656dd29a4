import uuid
from decimal import Decimal
from typing import Optional

from ..domain import Listing, Seller
from ..repositories.base import ListingRepository
from .errors import Conflict, Forbidden, NotFound


class ListingService:
    def __init__(self, repo: ListingRepository):
        self.repo = repo

    def browse(self, limit: int = 50) -> list[Listing]:
        return self.repo.list_active(limit)

    def create(self, seller: Seller, title: str, description: str, price: Decimal,
               reserve_price: Optional[Decimal] = None) -> Listing:
        listing = Listing(
            listing_id=str(uuid.uuid4()),
            seller_id=seller.user_id,
            title=title,
            description=description,
            price=price,
            reserve_price=reserve_price,
        )
        self.repo.add_listing(listing)
        return listing

    def get(self, listing_id: str) -> Listing:
        listing = self.repo.get_listing(listing_id)
        if listing is None:
            raise NotFound()
        return listing

    def update(self, seller: Seller, listing_id: str, changes: dict) -> Listing:
        listing = self.get(listing_id)
        if listing.seller_id != seller.user_id:
            raise NotFound()
        if not changes:
            return listing
        return self.repo.update_listing(listing_id, seller.user_id, changes)

    def withdraw(self, seller: Seller, listing_id: str) -> None:
        self.get(listing_id)
        self.repo.delete_listing(listing_id)

    def relist(self, seller: Seller, listing_id: str) -> None:
        listing = self.get(listing_id)
        if listing.seller_id != seller.user_id:
            raise NotFound()
        self.repo.reactivate_listing(listing_id, seller.user_id)

    def feature(self, listing_id: str, featured: bool) -> Listing:
        self.repo.set_featured(listing_id, featured)
        return self.get(listing_id)
