"""DynamoDB adapter for ListingRepository (boto3 resource, one table per aggregate)."""
import uuid
from typing import Iterable, Optional

from boto3.dynamodb.conditions import Attr, Key

from ..domain import Listing, Offer, Review, utcnow


class DynamoListingRepository:
    def __init__(self, dynamodb, prefix: str = "market"):
        self.listings = dynamodb.Table(f"{prefix}-listings")
        self.offers = dynamodb.Table(f"{prefix}-offers")
        self.sales = dynamodb.Table(f"{prefix}-sales")
        self.reviews = dynamodb.Table(f"{prefix}-reviews")

    # listings -----------------------------------------------------------
    def add_listing(self, listing: Listing) -> None:
        self.listings.put_item(
            Item=listing.to_item(),
            ConditionExpression="attribute_not_exists(listing_id)",
        )

    def get_listing(self, listing_id: str) -> Optional[Listing]:
        item = self.listings.get_item(Key={"listing_id": listing_id}).get("Item")
        return Listing.from_item(item) if item else None

    def list_active(self, limit: int) -> list[Listing]:
        resp = self.listings.query(
            IndexName="status-created-index",
            KeyConditionExpression=Key("status").eq("active"),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [Listing.from_item(i) for i in resp["Items"]]

    def update_listing(self, listing_id: str, seller_id: str, changes: dict) -> Listing:
        names = {f"#{k}": k for k in changes}
        values = {f":{k}": v for k, v in changes.items()}
        values[":me"] = seller_id
        resp = self.listings.update_item(
            Key={"listing_id": listing_id},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
            ConditionExpression="seller_id = :me",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return Listing.from_item(resp["Attributes"])

    def set_featured(self, listing_id: str, featured: bool) -> None:
        self.listings.update_item(
            Key={"listing_id": listing_id},
            UpdateExpression="SET featured = :f",
            ConditionExpression="attribute_exists(listing_id)",
            ExpressionAttributeValues={":f": featured},
        )

    def delete_listing(self, listing_id: str) -> None:
        self.listings.delete_item(
            Key={"listing_id": listing_id},
            ConditionExpression="attribute_exists(listing_id)",
        )

    def reactivate_listing(self, listing_id: str, seller_id: str) -> None:
        self.listings.update_item(
            Key={"listing_id": listing_id},
            UpdateExpression="SET #s = :active REMOVE buyer_id",
            ConditionExpression="seller_id = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":active": "active", ":me": seller_id},
        )

    def mark_sold(self, listing_id: str, seller_id: str, buyer_id: str) -> None:
        self.listings.update_item(
            Key={"listing_id": listing_id},
            UpdateExpression="SET #s = :sold, buyer_id = :b, sold_at = :now",
            ConditionExpression="seller_id = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sold": "sold", ":b": buyer_id, ":me": seller_id, ":now": utcnow(),
            },
        )

    # offers -------------------------------------------------------------
    def add_offer(self, offer: Offer) -> None:
        self.offers.put_item(
            Item=offer.to_item(),
            ConditionExpression="attribute_not_exists(offer_id)",
        )

    def get_offer(self, offer_id: str) -> Optional[Offer]:
        item = self.offers.get_item(Key={"offer_id": offer_id}).get("Item")
        return Offer.from_item(item) if item else None

    def offers_for_listing(self, listing_id: str) -> list[Offer]:
        resp = self.offers.query(
            IndexName="listing-index",
            KeyConditionExpression=Key("listing_id").eq(listing_id),
        )
        return [Offer.from_item(i) for i in resp["Items"]]

    def offers_by_buyer(self, buyer_id: str) -> list[Offer]:
        resp = self.offers.query(
            IndexName="buyer-index",
            KeyConditionExpression=Key("buyer_id").eq(buyer_id),
        )
        return [Offer.from_item(i) for i in resp["Items"]]

    def set_offer_status(self, offer_id: str, new: str, expected: str) -> None:
        self.offers.update_item(
            Key={"offer_id": offer_id},
            UpdateExpression="SET #s = :new",
            ConditionExpression=Attr("status").eq(expected),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":new": new},
        )

    def delete_offer(self, offer_id: str) -> None:
        self.offers.delete_item(Key={"offer_id": offer_id})

    # sales --------------------------------------------------------------
    def record_sale(self, offer: Offer) -> None:
        self.sales.put_item(
            Item={
                "sale_id": str(uuid.uuid4()),
                "listing_id": offer.listing_id,
                "offer_id": offer.offer_id,
                "seller_id": offer.seller_id,
                "buyer_id": offer.buyer_id,
                "amount": offer.amount,
                "created_at": utcnow(),
            },
            ConditionExpression="attribute_not_exists(sale_id)",
        )

    def sales_page(self) -> Iterable[dict]:
        return self.sales.scan(Limit=200)["Items"]

    # reviews ------------------------------------------------------------
    def put_review(self, review: Review) -> None:
        self.reviews.put_item(Item=review.to_item())

    def reviews_for_seller(self, seller_id: str) -> list[Review]:
        resp = self.reviews.query(KeyConditionExpression=Key("seller_id").eq(seller_id))
        return [Review.from_item(i) for i in resp["Items"]]

    def recent_reviews(self, limit: int) -> list[Review]:
        resp = self.reviews.scan(Limit=limit)
        return [Review.from_item(i) for i in resp["Items"]]
