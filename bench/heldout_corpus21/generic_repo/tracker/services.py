from contextlib import contextmanager
from datetime import datetime, timezone
from uuid import UUID, uuid4

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import Depends, HTTPException, status
from ulid import ULID

from .auth import CurrentUser, User, current_user
from .models import (
    Comment, CommentCreate, CommentEdit, CustomField, Member, Project, ProjectCreate,
    ProjectRename, ProjectUpdate, StatusChange, Task, TaskCreate, TaskMove, TaskStatus,
    TaskUpdate,
)
from .repos import CommentRepo, MemberRepo, ProjectRepo, TaskRepo

FREE_PLAN_TASK_LIMIT = 200


@contextmanager
def on_condition_failed(error: HTTPException):
    try:
        yield
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise error from None
        raise


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ProjectService:
    def __init__(
        self,
        user: CurrentUser,
        projects: ProjectRepo = Depends(ProjectRepo),
        members: MemberRepo = Depends(MemberRepo),
    ) -> None:
        self.user = user
        self.projects = projects
        self.members = members

    def create(self, body: ProjectCreate) -> Project:
        now = _now()
        project = Project(
            id=str(uuid4()), owner_id=self.user.id, name=body.name, description=body.description,
            max_tasks=FREE_PLAN_TASK_LIMIT, created_at=now, updated_at=now,
        )
        owner = Member(project_id=project.id, user_id=self.user.id, role="owner", joined_at=now)
        self.projects.create_with_owner(project, owner)
        return project

    def get(self, project_id: UUID) -> Project:
        if self.members.get(project_id, self.user.id) is None:
            raise _not_found("project")
        project = self.projects.get(project_id)
        if project is None:
            raise _not_found("project")
        return project

    def update(self, project_id: UUID, body: ProjectUpdate) -> Project:
        changes = body.model_dump(exclude_unset=True)
        changes["updated_at"] = _now().isoformat()
        with on_condition_failed(_not_found("project")):
            return self.projects.update_fields(
                project_id, condition=Attr("owner_id").eq(self.user.id), **changes
            )

    def rename(self, project_id: UUID, body: ProjectRename) -> None:
        with on_condition_failed(_not_found("project")):
            self.projects.rename(str(project_id), body.name, self.user.id)

    def delete(self, project_id: UUID) -> None:
        project = self.projects.get(project_id)
        if project is None:
            raise _not_found("project")
        if project.owner_id != self.user.id:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "only the owner can delete a project")
        self.projects.delete(project_id)


class TaskService:
    def __init__(
        self,
        user: User = Depends(current_user),
        tasks: TaskRepo = Depends(TaskRepo),
        members: MemberRepo = Depends(MemberRepo),
    ) -> None:
        self.user = user
        self.tasks = tasks
        self.members = members

    def _require_member(self, project_id) -> Member:
        member = self.members.get(project_id, self.user.id)
        if member is None:
            raise _not_found("project")
        return member

    def _load(self, project_id, task_id: str) -> Task:
        task = self.tasks.get(project_id, task_id)
        if task is None:
            raise _not_found("task")
        return task

    def list(self, project_id: UUID) -> list[Task]:
        self._require_member(project_id)
        items, _ = self.tasks.query_partition(project_id, limit=200)
        return items

    def get(self, project_id: UUID, task_id: str) -> Task:
        task = self.tasks.get(project_id, task_id)
        if task is None:
            raise _not_found("task")
        return task

    def create(self, project_id: UUID, body: TaskCreate) -> Task:
        self._require_member(project_id)
        now = _now()
        task = Task(
            project_id=str(project_id), task_id=body.task_id, title=body.title,
            description=body.description, assignee_id=body.assignee_id,
            created_by=self.user.id, created_at=now, updated_at=now,
        )
        return self.tasks.put(task)

    def update(self, project_id: UUID, task_id: str, body: TaskUpdate) -> Task:
        self._require_member(project_id)
        stale = HTTPException(status.HTTP_409_CONFLICT, "task was changed or removed, reload it")
        with on_condition_failed(stale):
            return self.tasks.update_fields(
                project_id,
                task_id,
                condition=Attr("version").eq(body.version),
                title=body.title,
                description=body.description,
                version=body.version + 1,
                updated_at=_now().isoformat(),
            )

    def change_status(self, project_id: UUID, task_id: str, body: StatusChange) -> Task:
        self._require_member(project_id)
        task = self._load(project_id, task_id)
        if task.version != body.version:
            raise HTTPException(status.HTTP_409_CONFLICT, "task was changed, reload it")
        if task.status == TaskStatus.done and body.status != TaskStatus.done:
            raise HTTPException(status.HTTP_409_CONFLICT, "reopen finished tasks from the board")
        return self.tasks.update_fields(
            project_id, task_id, status=body.status.value, version=task.version + 1, updated_at=_now().isoformat()
        )

    def set_custom_field(self, project_id: UUID, task_id: str, body: CustomField) -> Task:
        self._require_member(project_id)
        with on_condition_failed(_not_found("task")):
            return self.tasks.update_fields(
                project_id, task_id, condition=Attr("task_id").exists(), **{body.name: body.value}
            )

    def move(self, project_id: UUID, task_id: str, body: TaskMove) -> Task:
        self._require_member(project_id)
        task = self._load(project_id, task_id)
        if body.target_project_id == task.project_id:
            return task
        return self.tasks.move(task, body.target_project_id)

    def delete(self, project_id: UUID, task_id: str) -> None:
        self._require_member(project_id)
        with on_condition_failed(_not_found("task")):
            self.tasks.delete(project_id, task_id, condition=Attr("created_by").eq(self.user.id))

    def search(self, text: str) -> list[Task]:
        mine = {m.project_id for m in self.members.for_user(self.user.id)}
        hits = self.tasks.scan_all(Attr("title").contains(text))
        return [t for t in hits if t.project_id in mine]


class CommentService:
    def __init__(
        self,
        user: CurrentUser,
        comments: CommentRepo = Depends(CommentRepo),
        tasks: TaskRepo = Depends(TaskRepo),
        members: MemberRepo = Depends(MemberRepo),
    ) -> None:
        self.user = user
        self.comments = comments
        self.tasks = tasks
        self.members = members

    def _task(self, project_id: UUID, task_id: str) -> Task:
        if self.members.get(project_id, self.user.id) is None:
            raise _not_found("project")
        task = self.tasks.get(project_id, task_id)
        if task is None:
            raise _not_found("task")
        return task

    def add(self, project_id: UUID, task_id: str, body: CommentCreate) -> Comment:
        task = self._task(project_id, task_id)
        comment = Comment(
            task_id=task.task_id, comment_id=str(ULID()), author_id=self.user.id,
            body=body.body, created_at=_now(),
        )
        self.comments.put(comment, create_only=True)
        self.tasks.bump_comment_count(task.project_id, task.task_id)
        return comment

    def edit(self, project_id: UUID, task_id: str, body: CommentEdit) -> Comment:
        task = self._task(project_id, task_id)
        with on_condition_failed(_not_found("comment")):
            return self.comments.update_fields(
                task.task_id,
                body.comment_id,
                condition=Attr("author_id").eq(self.user.id),
                body=body.body,
                edited_at=_now().isoformat(),
            )
