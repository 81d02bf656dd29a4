from ..domain import Buyer, Review
from ..repositories.base import ListingRepository


class ReviewService:
    """Reviews are public: anyone may read any seller's reviews."""

    def __init__(self, repo: ListingRepository):
        self.repo = repo

    def for_seller(self, seller_id: str) -> list[Review]:
        return self.repo.reviews_for_seller(seller_id)

    def recent(self, limit: int = 20) -> list[Review]:
        return self.repo.recent_reviews(limit)

    def write(self, buyer: Buyer, seller_id: str, rating: int, text: str) -> Review:
        # One review per buyer and seller; writing again replaces it.
        review = Review(seller_id=seller_id, reviewer_id=buyer.user_id, rating=rating, text=text)
        self.repo.put_review(review)
        return review
