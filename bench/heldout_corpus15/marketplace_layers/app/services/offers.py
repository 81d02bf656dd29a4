import uuid
from decimal import Decimal
from typing import Union

from ..domain import Buyer, Listing, Offer, Seller
from ..repositories.base import ListingRepository
from .errors import Conflict, Forbidden, NotFound


class OfferService:
    def __init__(self, repo: ListingRepository):
        self.repo = repo

    def _listing(self, listing_id: str) -> Listing:
        listing = self.repo.get_listing(listing_id)
        if listing is None:
            raise NotFound()
        return listing

    def make_offer(self, buyer: Buyer, listing_id: str, amount: Decimal, message: str) -> Offer:
        listing = self._listing(listing_id)
        if listing.status != "active":
            raise Conflict("listing is not for sale")
        offer = Offer(
            offer_id=str(uuid.uuid4()),
            listing_id=listing.listing_id,
            buyer_id=buyer.user_id,
            seller_id=listing.seller_id,
            amount=amount,
            message=message,
        )
        self.repo.add_offer(offer)
        return offer

    def mine(self, buyer: Buyer) -> list[Offer]:
        return self.repo.offers_by_buyer(buyer.user_id)

    def for_listing(self, seller: Seller, listing_id: str) -> list[Offer]:
        listing = self._listing(listing_id)
        if listing.seller_id != seller.user_id:
            raise NotFound()
        return self.repo.offers_for_listing(listing_id)

    def get(self, user: Union[Seller, Buyer], offer_id: str) -> Offer:
        offer = self.repo.get_offer(offer_id)
        if offer is None:
            raise NotFound()
        if user.user_id not in (offer.buyer_id, offer.seller_id):
            raise Forbidden()
        return offer

    def accept(self, seller: Seller, offer_id: str) -> Offer:
        offer = self.repo.get_offer(offer_id)
        if offer is None:
            raise NotFound()
        listing = self._listing(offer.listing_id)
        if listing.seller_id != seller.user_id:
            raise NotFound()
        if listing.status != "active" or offer.status != "pending":
            raise Conflict("offer can no longer be accepted")
        # 1. the offer, 2. the listing, 3. the sale record
        self.repo.set_offer_status(offer_id, "accepted", expected="pending")
        self.repo.mark_sold(listing.listing_id, seller.user_id, offer.buyer_id)
        self.repo.record_sale(offer)
        return offer

    def decline(self, seller: Seller, offer_id: str) -> None:
        offer = self.repo.get_offer(offer_id)
        if offer is None:
            raise NotFound()
        if offer.status != "pending":
            raise Conflict("offer is not pending")
        self.repo.set_offer_status(offer_id, "declined", expected="pending")

    def withdraw(self, buyer: Buyer, offer_id: str) -> None:
        offer = self.repo.get_offer(offer_id)
        if offer is None or offer.buyer_id != buyer.user_id:
            raise NotFound()
        self.repo.delete_offer(offer_id)

    def my_sales(self, seller: Seller) -> list[dict]:
        return [s for s in self.repo.sales_page() if s["seller_id"] == seller.user_id]
