"""PynamoDB models for the projects API."""
import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

REGION = os.environ.get("AWS_REGION", "eu-west-1")
HOST = os.environ.get("DYNAMODB_ENDPOINT")  # set for local runs only
PREFIX = os.environ.get("TABLE_PREFIX", "projects-dev")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BaseMeta:
    region = REGION
    host = HOST


class ApiKey(Model):
    """An API key; only the SHA-256 of the raw key is stored."""

    class Meta(BaseMeta):
        table_name = f"{PREFIX}-api-keys"

    key_hash = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    scopes = UnicodeSetAttribute(default=set)
    revoked = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute(default=utcnow)


class OwnerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner-index"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Project(Model):
    class Meta(BaseMeta):
        table_name = f"{PREFIX}-projects"

    project_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    deleted_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    owner_index = OwnerIndex()


class Export(Model):
    """An export job; no version attribute."""

    class Meta(BaseMeta):
        table_name = f"{PREFIX}-exports"

    export_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")
    created_at = UTCDateTimeAttribute(default=utcnow)


class Usage(Model):
    """Monthly usage counter per owner."""

    class Meta(BaseMeta):
        table_name = f"{PREFIX}-usage"

    owner_id = UnicodeAttribute(hash_key=True)
    month = UnicodeAttribute(range_key=True)
    projects_created = NumberAttribute(default=0)
    exports = NumberAttribute(default=0)
