"""Composition root: the one place that knows which repository implementation is used."""
import os
from functools import lru_cache

import boto3

from .repositories.base import ListingRepository
from .repositories.dynamo import DynamoListingRepository
from .services.listings import ListingService
from .services.offers import OfferService
from .services.reviews import ReviewService


@lru_cache
def get_repository() -> ListingRepository:
    dynamodb = boto3.resource("dynamodb", region_name=os.getenv("AWS_REGION", "eu-west-1"))
    return DynamoListingRepository(dynamodb, prefix=os.getenv("TABLE_PREFIX", "market"))


def listing_service() -> ListingService:
    return ListingService(get_repository())


def offer_service() -> OfferService:
    return OfferService(get_repository())


def review_service() -> ReviewService:
    return ReviewService(get_repository())
