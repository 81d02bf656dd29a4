from datetime import datetime, timezone

from pynamodb.attributes import (ListAttribute, NumberAttribute, UnicodeAttribute,
                                 UnicodeSetAttribute, UTCDateTimeAttribute)
from pynamodb.models import Model

from .settings import get_settings

_settings = get_settings()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Poll(Model):
    class Meta:
        table_name = f"{_settings.table_prefix}-polls"
        region = _settings.aws_region

    poll_id = UnicodeAttribute(hash_key=True)
    owner_sub = UnicodeAttribute()
    question = UnicodeAttribute()
    options = ListAttribute(of=UnicodeAttribute)
    tags = UnicodeSetAttribute(null=True)
    visibility = UnicodeAttribute(default="public")
    status = UnicodeAttribute(default="open")
    total_votes = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)
    closed_at = UTCDateTimeAttribute(null=True)


class Vote(Model):
    class Meta:
        table_name = f"{_settings.table_prefix}-votes"
        region = _settings.aws_region

    poll_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    option = UnicodeAttribute()
    cast_at = UTCDateTimeAttribute(default=utcnow)


class Tally(Model):
    """One counter per (poll, option), created by the first ADD."""

    class Meta:
        table_name = f"{_settings.table_prefix}-tallies"
        region = _settings.aws_region

    poll_id = UnicodeAttribute(hash_key=True)
    option = UnicodeAttribute(range_key=True)
    votes = NumberAttribute(default=0)


class Profile(Model):
    class Meta:
        table_name = f"{_settings.table_prefix}-profiles"
        region = _settings.aws_region

    sub = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute(null=True)
    plan = UnicodeAttribute(default="free")
    polls_created = NumberAttribute(default=0)
    followed = UnicodeSetAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)


ALL_MODELS = (Poll, Vote, Tally, Profile)
