from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key

from .db import now_iso, table
from .models import Comment, Member, Project, Task
from .repository import DynamoRepository


class MemberRepo(DynamoRepository[Member]):
    model_cls = Member
    table_name = "project-members"
    hash_key = "project_id"
    range_key = "user_id"

    def for_user(self, user_id: str) -> list[Member]:
        resp = self.table.query(IndexName="by-user", KeyConditionExpression=Key("user_id").eq(user_id))
        return [self.from_item(i) for i in resp["Items"]]


class ProjectRepo(DynamoRepository[Project]):
    model_cls = Project
    table_name = "projects"

    def create_with_owner(self, project: Project, owner: Member) -> None:
        members = table(MemberRepo.table_name)
        self.table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": self.to_item(project),
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
                {
                    "Put": {
                        "TableName": members.name,
                        "Item": owner.model_dump(mode="json"),
                        "ConditionExpression": "attribute_not_exists(project_id)",
                    }
                },
            ]
        )

    def rename(self, project_id: str, name: str, owner_id: str) -> None:
        self.table.update_item(
            Key=self.key(project_id),
            UpdateExpression="SET name = :name, updated_at = :now",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeValues={":name": name, ":now": now_iso(), ":me": owner_id},
        )


class TaskRepo(DynamoRepository[Task]):
    model_cls = Task
    table_name = "tasks"
    hash_key = "project_id"
    range_key = "task_id"

    def bump_comment_count(self, project_id: str, task_id: str) -> None:
        self.table.update_item(
            Key=self.key(project_id, task_id),
            UpdateExpression="ADD comment_count :one SET updated_at = :now",
            ConditionExpression="attribute_exists(task_id)",
            ExpressionAttributeValues={":one": 1, ":now": now_iso()},
        )

    def move(self, task: Task, target_project_id: str) -> Task:
        moved = task.model_copy(update={"project_id": target_project_id, "updated_at": datetime.now(timezone.utc)})
        self.table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": self.table.name,
                        "Key": {"project_id": {"S": task.project_id}, "task_id": {"S": task.task_id}},
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(task.version)}},
                    }
                },
                {
                    "Put": {
                        "TableName": self.table.name,
                        "Item": self.to_item(moved),
                        "ConditionExpression": "attribute_not_exists(task_id)",
                    }
                },
            ]
        )
        return moved


class CommentRepo(DynamoRepository[Comment]):
    model_cls = Comment
    table_name = "comments"
    hash_key = "task_id"
    range_key = "comment_id"
