from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from . import config


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Meta:
    region = config.REGION
    host = config.DYNAMODB_HOST


class ChildrenIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "parent_id-name-index"
        projection = AllProjection()

    parent_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class Node(Model):
    """A file or a folder. `path` is unique and claimed through PathClaim."""

    class Meta(_Meta):
        table_name = f"{config.TABLE_PREFIX}-nodes"

    node_id = UnicodeAttribute(hash_key=True)
    parent_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    path = UnicodeAttribute()
    kind = UnicodeAttribute()  # "file" | "folder"
    owner_sub = UnicodeAttribute()
    status = UnicodeAttribute(default="ready")  # pending | ready | quarantined
    content_type = UnicodeAttribute(null=True)
    size = NumberAttribute(default=0)
    s3_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    children = ChildrenIndex()


class PathClaim(Model):
    class Meta(_Meta):
        table_name = f"{config.TABLE_PREFIX}-paths"

    path = UnicodeAttribute(hash_key=True)
    node_id = UnicodeAttribute()


class PrincipalIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "principal-index"
        projection = KeysOnlyProjection()

    principal = UnicodeAttribute(hash_key=True)
    resource_id = UnicodeAttribute(range_key=True)


class Acl(Model):
    class Meta(_Meta):
        table_name = f"{config.TABLE_PREFIX}-acl"

    resource_id = UnicodeAttribute(hash_key=True)
    principal = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()  # viewer | editor | owner
    granted_by = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute(default=utcnow)

    by_principal = PrincipalIndex()


class ShareLink(Model):
    class Meta(_Meta):
        table_name = f"{config.TABLE_PREFIX}-share-links"

    token = UnicodeAttribute(hash_key=True)
    node_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    revoked = BooleanAttribute(default=False)
    downloads = NumberAttribute(default=0)
