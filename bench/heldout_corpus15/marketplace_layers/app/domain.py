"""Domain entities. Plain frozen dataclasses, no framework imports."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass(frozen=True)
class Seller:
    user_id: str
    display_name: str
    is_staff: bool = False


@dataclass(frozen=True)
class Buyer:
    user_id: str
    display_name: str


@dataclass(frozen=True)
class Listing:
    listing_id: str
    seller_id: str
    title: str
    description: str
    price: Decimal
    status: str = "active"
    featured: bool = False
    # Internal: the lowest price the seller told us they would take, and the
    # moderation team's notes. Never shown to buyers.
    reserve_price: Optional[Decimal] = None
    moderation_note: str = ""
    buyer_id: Optional[str] = None
    created_at: str = field(default_factory=utcnow)

    def to_item(self) -> dict:
        item = {
            "listing_id": self.listing_id,
            "seller_id": self.seller_id,
            "title": self.title,
            "description": self.description,
            "price": self.price,
            "status": self.status,
            "featured": self.featured,
            "moderation_note": self.moderation_note,
            "created_at": self.created_at,
        }
        if self.reserve_price is not None:
            item["reserve_price"] = self.reserve_price
        if self.buyer_id:
            item["buyer_id"] = self.buyer_id
        return item

    @classmethod
    def from_item(cls, item: dict) -> "Listing":
        return cls(
            listing_id=item["listing_id"],
            seller_id=item["seller_id"],
            title=item["title"],
            description=item.get("description", ""),
            price=Decimal(item["price"]),
            status=item.get("status", "active"),
            featured=bool(item.get("featured", False)),
            reserve_price=item.get("reserve_price"),
            moderation_note=item.get("moderation_note", ""),
            buyer_id=item.get("buyer_id"),
            created_at=item.get("created_at", ""),
        )


@dataclass(frozen=True)
class Offer:
    offer_id: str
    listing_id: str
    buyer_id: str
    seller_id: str
    amount: Decimal
    message: str = ""
    status: str = "pending"
    created_at: str = field(default_factory=utcnow)

    def to_item(self) -> dict:
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict) -> "Offer":
        return cls(**{k: item[k] for k in cls.__dataclass_fields__ if k in item})


@dataclass(frozen=True)
class Review:
    seller_id: str
    reviewer_id: str
    rating: int
    text: str
    created_at: str = field(default_factory=utcnow)

    def to_item(self) -> dict:
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict) -> "Review":
        return cls(**{k: item[k] for k in cls.__dataclass_fields__ if k in item})
