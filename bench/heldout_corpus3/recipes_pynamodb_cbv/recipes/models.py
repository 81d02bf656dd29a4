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
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

STAGE = os.environ.get("STAGE", "dev")
REGION = os.environ.get("AWS_REGION", "us-east-1")


def _now():
    return datetime.now(timezone.utc)


class Ingredient(MapAttribute):
    name = UnicodeAttribute()
    quantity = UnicodeAttribute(null=True)


class AuthorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "author-index"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Account(Model):
    class Meta:
        table_name = f"recipes-{STAGE}-accounts"
        region = REGION

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    display_name = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    is_superuser = BooleanAttribute(default=False)


class Recipe(Model):
    class Meta:
        table_name = f"recipes-{STAGE}-recipes"
        region = REGION

    recipe_id = UnicodeAttribute(hash_key=True)
    author_id = UnicodeAttribute()
    title = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    ingredients = ListAttribute(of=Ingredient, default=list)
    steps = ListAttribute(default=list)
    likes = NumberAttribute(default=0)
    published = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute(default=_now)
    by_author = AuthorIndex()


class Comment(Model):
    class Meta:
        table_name = f"recipes-{STAGE}-comments"
        region = REGION

    recipe_id = UnicodeAttribute(hash_key=True)
    comment_id = UnicodeAttribute(range_key=True)
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default=_now)


class Like(Model):
    class Meta:
        table_name = f"recipes-{STAGE}-likes"
        region = REGION

    recipe_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    created_at = UTCDateTimeAttribute(default=_now)
