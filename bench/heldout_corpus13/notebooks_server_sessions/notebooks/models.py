"""PynamoDB models. Tables are created by the Terraform stack, not here."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

REGION = os.environ.get("AWS_REGION", "us-east-1")
PREFIX = os.environ.get("TABLE_PREFIX", "nb-")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Meta:
    region = REGION
    host = os.environ.get("DYNAMODB_ENDPOINT") or None


class User(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}users"

    username = UnicodeAttribute(hash_key=True)
    password_hash = UnicodeAttribute()
    display_name = UnicodeAttribute(default="")
    is_admin = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute(default=utcnow)


class Session(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}sessions"

    token = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)
    expires_at = UTCDateTimeAttribute()
    user_agent = UnicodeAttribute(default="")


class OwnerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner-updated"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class Notebook(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}notebooks"

    notebook_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    status = UnicodeAttribute(default="draft")  # draft -> published -> archived
    shared_with = ListAttribute(of=UnicodeAttribute, default=list)
    cell_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    owner_index = OwnerIndex()


class Cell(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}cells"

    notebook_id = UnicodeAttribute(hash_key=True)
    cell_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute(default="code")  # code | markdown
    source = UnicodeAttribute(default="")
    author_id = UnicodeAttribute()
    position = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(default=utcnow)
