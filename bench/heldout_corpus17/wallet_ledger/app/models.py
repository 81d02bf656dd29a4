import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

REGION = os.getenv("AWS_REGION", "eu-central-1")


def utcnow():
    return datetime.now(timezone.utc)


class Wallet(Model):
    class Meta:
        table_name = os.getenv("WALLETS_TABLE", "wallet-wallets")
        region = REGION

    user_id = UnicodeAttribute(hash_key=True)
    currency = UnicodeAttribute(default="EUR")
    balance = NumberAttribute(default=0)
    status = UnicodeAttribute(default="active")
    daily_limit = NumberAttribute(default=500)
    nickname = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()


class LedgerEntry(Model):
    """Append-only: entries are written once (create-only) and never updated."""

    class Meta:
        table_name = os.getenv("LEDGER_TABLE", "wallet-ledger")
        region = REGION

    wallet_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    amount = UnicodeAttribute()
    counterparty = UnicodeAttribute(null=True)
    memo = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
