"""PynamoDB models. One table per model, named <prefix>-<name>."""
from datetime import datetime, timezone

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from .config import settings


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BaseMeta:
    region = settings.region
    host = settings.dynamodb_host or None


# shared by the TransactWrite blocks
connection = Connection(region=settings.region, host=settings.dynamodb_host or None)


class Product(Model):
    class Meta(BaseMeta):
        table_name = f"{settings.table_prefix}-products"

    sku = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    category = UnicodeAttribute(default="misc")
    price_cents = NumberAttribute()
    quantity = NumberAttribute(default=0)
    status = UnicodeAttribute(default="active")
    updated_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()


class StockMovement(Model):
    class Meta(BaseMeta):
        table_name = f"{settings.table_prefix}-stock-movements"

    sku = UnicodeAttribute(hash_key=True)
    movement_id = UnicodeAttribute(range_key=True)
    delta = NumberAttribute()
    reason = UnicodeAttribute()
    actor = UnicodeAttribute()
    moved_at = UTCDateTimeAttribute(default=utcnow)


class Account(Model):
    """Customer account, keyed by the verified e-mail address."""

    class Meta(BaseMeta):
        table_name = f"{settings.table_prefix}-accounts"

    email = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute()
    company = UnicodeAttribute(default="")
    credit_limit_cents = NumberAttribute(default=0)
    billing_ref = UnicodeAttribute(null=True)  # ERP customer number, internal
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()


class OwnerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner-created"
        projection = AllProjection()

    owner_email = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class PurchaseOrder(Model):
    class Meta(BaseMeta):
        table_name = f"{settings.table_prefix}-purchase-orders"

    order_id = UnicodeAttribute(hash_key=True)
    owner_email = UnicodeAttribute()
    sku = UnicodeAttribute()
    quantity = NumberAttribute()
    unit_price_cents = NumberAttribute(null=True)
    note = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="draft")
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)

    owner_index = OwnerIndex()


class Watch(Model):
    """A customer watching a SKU for restock e-mails."""

    class Meta(BaseMeta):
        table_name = f"{settings.table_prefix}-watchlist"

    owner_email = UnicodeAttribute(hash_key=True)
    sku = UnicodeAttribute(range_key=True)
    added_at = UTCDateTimeAttribute(default=utcnow)
