from datetime import datetime, timezone

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class AuthorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "author-index"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)


class Post(Model):
    class Meta:
        table_name = "blog-posts"
        region = "us-east-1"

    post_id = UnicodeAttribute(hash_key=True)
    author_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(default="")
    state = UnicodeAttribute(default="draft")
    likes = NumberAttribute(default=0)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    created = UTCDateTimeAttribute(default=lambda: datetime.now(timezone.utc))
    by_author = AuthorIndex()


class Comment(Model):
    class Meta:
        table_name = "blog-comments"
        region = "us-east-1"

    post_id = UnicodeAttribute(hash_key=True)
    comment_id = UnicodeAttribute(range_key=True)
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()
