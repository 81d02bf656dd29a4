import os
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

REGION = os.environ.get("AWS_REGION", "us-east-1")
STAGE = os.environ.get("STAGE", "dev")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class User(Model):
    class Meta:
        table_name = f"lms-{STAGE}-users"
        region = REGION

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    role = UnicodeAttribute(default="student")
    display_name = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)


class StatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Course(Model):
    class Meta:
        table_name = f"lms-{STAGE}-courses"
        region = REGION

    course_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    price_cents = NumberAttribute(default=0)
    status = UnicodeAttribute(default="draft")
    enrolled = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)
    status_index = StatusIndex()


class Enrollment(Model):
    class Meta:
        table_name = f"lms-{STAGE}-enrollments"
        region = REGION

    course_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute(default="active")
    progress = NumberAttribute(default=0)
    enrolled_at = UTCDateTimeAttribute(default=utcnow)


class Review(Model):
    class Meta:
        table_name = f"lms-{STAGE}-reviews"
        region = REGION

    course_id = UnicodeAttribute(hash_key=True)
    review_id = UnicodeAttribute(range_key=True)
    author = UnicodeAttribute()
    rating = NumberAttribute()
    body = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
