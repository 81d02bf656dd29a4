import os
from datetime import datetime, timezone

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

REGION = os.environ.get("AWS_REGION", "eu-west-1")
HOST = os.environ.get("DYNAMODB_HOST")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Workspace(Model):
    class Meta:
        table_name = "taskboard-workspaces"
        region = REGION
        host = HOST

    workspace_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    plan = UnicodeAttribute(default="free")
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()


class Member(Model):
    class Meta:
        table_name = "taskboard-members"
        region = REGION
        host = HOST

    workspace_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute(default="viewer")


class WorkspaceIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_workspace"
        projection = AllProjection()

    workspace_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Task(Model):
    class Meta:
        table_name = "taskboard-tasks"
        region = REGION
        host = HOST

    task_id = UnicodeAttribute(hash_key=True)
    workspace_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="todo")
    assignee = UnicodeAttribute(null=True)
    points = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute(default=utcnow)

    by_workspace = WorkspaceIndex()
