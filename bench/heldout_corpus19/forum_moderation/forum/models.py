"""PynamoDB models for the forum.

Table layout (one table per model, provisioned by terraform in the infra repo):

    forum-threads      thread_id
    forum-posts        thread_id + post_id
    forum-votes        post_key ("<thread_id>#<post_id>") + user_id
    forum-reports      report_id
    forum-moderators   user_id
"""
import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

REGION = os.environ.get("AWS_REGION", "eu-west-1")
PREFIX = os.environ.get("FORUM_TABLE_PREFIX", "forum")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Meta:
    region = REGION


class AuthorMap(MapAttribute):
    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute()


class RevisionMap(MapAttribute):
    body = UnicodeAttribute()
    edited_at = UTCDateTimeAttribute()
    edited_by = UnicodeAttribute()


class Thread(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}-threads"

    thread_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    author = AuthorMap()
    state = UnicodeAttribute(default="open")  # open | locked
    post_count = NumberAttribute(default=0)
    views = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)


class Post(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}-posts"

    thread_id = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)
    author = AuthorMap()
    body = UnicodeAttribute()
    pinned = BooleanAttribute(default=False)
    deleted = BooleanAttribute(default=False)
    score = NumberAttribute(default=0)
    history = ListAttribute(of=RevisionMap, default=list)
    ip_hash = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    edited_at = UTCDateTimeAttribute(null=True)


class Vote(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}-votes"

    post_key = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    value = NumberAttribute()
    cast_at = UTCDateTimeAttribute(default=utcnow)


class Report(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}-reports"

    report_id = UnicodeAttribute(hash_key=True)
    thread_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    reporter_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | resolved | dismissed
    resolved_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)


class Moderator(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}-moderators"

    user_id = UnicodeAttribute(hash_key=True)
    granted_by = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute(default=utcnow)
