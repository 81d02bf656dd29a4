from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from .settings import get_settings

_settings = get_settings()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def user_pk(username: str) -> str:
    return f"USER#{username}"


class FollowersIndex(GlobalSecondaryIndex["Follow"]):
    """Who follows a given user: gsi1pk = FOLLOWERS#<followee>, gsi1sk = follower."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class AuthorTimelineIndex(GlobalSecondaryIndex["Post"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class SocialItem(Model):
    class Meta:
        table_name = _settings.table_name
        region = _settings.aws_region
        host = _settings.dynamodb_host

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)


class Profile(SocialItem, discriminator="profile"):
    username = UnicodeAttribute()
    display_name = UnicodeAttribute()
    bio = UnicodeAttribute(default="")
    avatar_url = UnicodeAttribute(null=True)
    is_private = BooleanAttribute(default=False)
    verified = BooleanAttribute(default=False)
    followers_count = NumberAttribute(default=0)
    following_count = NumberAttribute(default=0)
    email = UnicodeAttribute(null=True)

    @classmethod
    def key_for(cls, username: str) -> tuple[str, str]:
        return user_pk(username), "PROFILE"


class Post(SocialItem, discriminator="post"):
    post_id = UnicodeAttribute()
    author = UnicodeAttribute()
    body = UnicodeAttribute()
    like_count = NumberAttribute(default=0)
    edited_at = UTCDateTimeAttribute(null=True)
    client_ip = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)

    timeline = AuthorTimelineIndex()


class Follow(SocialItem, discriminator="follow"):
    follower = UnicodeAttribute()
    followee = UnicodeAttribute()
    status = UnicodeAttribute(default="approved")
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    followers = FollowersIndex()

    @classmethod
    def build(cls, follower: str, followee: str, status: str) -> "Follow":
        return cls(
            user_pk(follower),
            f"FOLLOWS#{followee}",
            follower=follower,
            followee=followee,
            status=status,
            gsi1pk=f"FOLLOWERS#{followee}",
            gsi1sk=follower,
        )


class Block(SocialItem, discriminator="block"):
    blocked = UnicodeAttribute()


class FeedEntry(SocialItem, discriminator="feed"):
    post_id = UnicodeAttribute()
    author = UnicodeAttribute()
    preview = UnicodeAttribute()
