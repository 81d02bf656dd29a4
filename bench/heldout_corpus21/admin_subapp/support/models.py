import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

PREFIX = os.environ.get("SUPPORT_TABLE_PREFIX", "support-")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Meta:
    region = os.environ.get("AWS_REGION", "us-east-1")
    host = os.environ.get("DYNAMODB_HOST")


class EmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class User(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}users"

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    display_name = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    role = UnicodeAttribute(default="customer")  # customer | agent
    created_at = UTCDateTimeAttribute(default=utcnow)
    by_email = EmailIndex()


class Session(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}sessions"

    token = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    user_agent = UnicodeAttribute(null=True)


class Ticket(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}tickets"

    ticket_id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | pending | closed
    priority = UnicodeAttribute(default="normal")
    assigned_agent_id = UnicodeAttribute(null=True)
    rating = NumberAttribute(null=True)
    external_ref = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    closed_at = UTCDateTimeAttribute(null=True)


class Message(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}messages"

    ticket_id = UnicodeAttribute(hash_key=True)
    message_id = UnicodeAttribute(range_key=True)
    author = UnicodeAttribute()
    body = UnicodeAttribute()
    internal_note = BooleanAttribute(default=False)
    sender_ip = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)


class Agent(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}agents"

    agent_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    open_tickets = NumberAttribute(default=0)


class AuditEvent(Model):
    class Meta(_Meta):
        table_name = f"{PREFIX}audit"

    event_id = UnicodeAttribute(hash_key=True)
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    at = UTCDateTimeAttribute(default=utcnow)
