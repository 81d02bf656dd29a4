from datetime import UTC, datetime

from dependency_injector.wiring import inject
from fastapi import APIRouter

from ..deps import Reviews, User
from ..schemas import Isbn, ReviewIn, ReviewOut, Username

router = APIRouter(tags=["reviews"])


@router.get("", response_model=list[ReviewOut])
@inject
def list_reviews(isbn: Isbn, reviews: Reviews):
    return reviews.for_book(isbn)


@router.put("/mine", response_model=ReviewOut)
@inject
def upsert_my_review(isbn: Isbn, body: ReviewIn, principal: User, reviews: Reviews):
    review = {
        "isbn": body.isbn,
        "username": principal.username,
        "rating": body.rating,
        "text": body.text,
        "updated_at": datetime.now(UTC).isoformat(),
    }
    reviews.put(review)
    return review


@router.delete("/{username}", status_code=204)
@inject
def remove_review(isbn: Isbn, username: Username, reviews: Reviews):
    """Moderation: librarians take down abusive reviews."""
    reviews.delete(isbn, username)
