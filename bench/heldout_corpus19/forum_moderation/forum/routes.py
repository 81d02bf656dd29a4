import hashlib
import uuid
from datetime import timedelta
from typing import List
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from .deps import Viewer, current_viewer, require_moderator
from .models import AuthorMap, Post, Report, RevisionMap, Thread, Vote, utcnow
from .schemas import (
    PostCreate,
    PostEdit,
    PostOut,
    ReportIn,
    ReportOut,
    ThreadIn,
    ThreadOut,
    VoteIn,
)

EDIT_WINDOW = timedelta(minutes=15)
PostId = Path(pattern=r"^[0-9A-Za-z]{26}$")

threads = APIRouter(prefix="/threads", tags=["threads"])
posts = APIRouter(prefix="/threads/{thread_id}/posts", tags=["posts"])
reports = APIRouter(prefix="/reports", tags=["reports"])
mod = APIRouter(prefix="/mod", tags=["moderation"])


def _post_out(p: Post) -> PostOut:
    return PostOut(
        thread_id=p.thread_id,
        post_id=p.post_id,
        author_name=p.author.display_name,
        body=p.body,
        pinned=p.pinned,
        score=int(p.score),
        created_at=p.created_at,
        edited_at=p.edited_at,
    )


def _author(viewer: Viewer) -> AuthorMap:
    return AuthorMap(user_id=viewer.user_id, display_name=viewer.display_name)


# --- threads -----------------------------------------------------------------


@threads.post("", response_model=ThreadOut, status_code=201)
def create_thread(body: ThreadIn, request: Request, viewer: Viewer = Depends(current_viewer)):
    thread = Thread(thread_id=str(uuid.uuid4()), title=body.title, author=_author(viewer), post_count=1)
    thread.save(condition=Thread.thread_id.does_not_exist())
    first = Post(
        thread.thread_id,
        str(ULID()),
        author=_author(viewer),
        body=body.body,
        ip_hash=hashlib.sha256(request.client.host.encode()).hexdigest(),
    )
    first.save(condition=Post.post_id.does_not_exist())
    return thread


@threads.get("/{thread_id}", response_model=ThreadOut)
def get_thread(thread_id: UUID):
    try:
        return Thread.get(str(thread_id))
    except Thread.DoesNotExist:
        raise HTTPException(404, "thread not found")


@threads.post("/{thread_id}/views", status_code=204)
def count_view(thread_id: UUID):
    Thread(str(thread_id)).update(
        actions=[Thread.views.add(1)],
        condition=Thread.thread_id.exists(),
    )


# --- posts -------------------------------------------------------------------


@posts.get("", response_model=List[PostOut])
def list_posts(thread_id: UUID, limit: int = 50):
    limit = max(1, min(limit, 100))
    rows = Post.query(
        str(thread_id),
        filter_condition=Post.deleted == False,  # noqa: E712
        limit=limit,
    )
    return [_post_out(p) for p in rows]


@posts.post("", response_model=PostOut, status_code=201)
def reply(thread_id: UUID, body: PostCreate, request: Request, viewer: Viewer = Depends(current_viewer)):
    try:
        thread = Thread.get(str(thread_id))
    except Thread.DoesNotExist:
        raise HTTPException(404, "thread not found")
    if thread.state != "open":
        raise HTTPException(409, "thread is locked")

    data = body.model_dump(exclude={"reply_to"})
    data["thread_id"] = str(data["thread_id"])
    post = Post(
        post_id=str(ULID()),
        author=_author(viewer),
        ip_hash=hashlib.sha256(request.client.host.encode()).hexdigest(),
        **data,
    )
    try:
        post.save(condition=Post.post_id.does_not_exist())
    except PutError as e:
        raise HTTPException(status_code=500, detail=f"could not save post: {e}")
    thread.update(actions=[Thread.post_count.add(1)])
    return _post_out(post)


@posts.get("/{post_id}")
def get_post(thread_id: UUID, post_id: str):
    # permalinks keep working after a post is removed so moderators can
    # follow links from reports
    try:
        post = Post.get(str(thread_id), post_id)
    except Post.DoesNotExist:
        raise HTTPException(404, "post not found")
    return post.attribute_values


@posts.patch("/{post_id}", response_model=PostOut)
def edit_post(
    thread_id: UUID,
    body: PostEdit,
    post_id: str = PostId,
    viewer: Viewer = Depends(current_viewer),
):
    try:
        post = Post.get(str(thread_id), post_id)
    except Post.DoesNotExist:
        raise HTTPException(404, "post not found")
    if post.deleted:
        raise HTTPException(404, "post not found")
    if post.author.user_id != viewer.user_id:
        raise HTTPException(403, "you can only edit your own posts")
    if utcnow() - post.created_at > EDIT_WINDOW:
        raise HTTPException(409, "the edit window has closed")

    now = utcnow()
    post.update(
        actions=[
            Post.history.append([RevisionMap(body=post.body, edited_at=now, edited_by=viewer.user_id)]),
            Post.body.set(body.body),
            Post.edited_at.set(now),
        ],
        condition=Post.author.user_id == viewer.user_id,
    )
    return _post_out(post)


@posts.delete("/{post_id}", status_code=204)
def delete_own_post(thread_id: UUID, post_id: str = PostId, viewer: Viewer = Depends(current_viewer)):
    try:
        Post(str(thread_id), post_id).update(
            actions=[Post.deleted.set(True)],
            condition=(Post.author.user_id == viewer.user_id) & (Post.deleted == False),  # noqa: E712
        )
    except UpdateError:
        raise HTTPException(404, "post not found")


@posts.put("/{post_id}/vote", status_code=204)
def vote(thread_id: UUID, body: VoteIn, post_id: str = PostId, viewer: Viewer = Depends(current_viewer)):
    key = f"{thread_id}#{post_id}"
    Vote(key, viewer.user_id, value=body.value).save()
    Post(str(thread_id), post_id).update(
        actions=[Post.score.add(body.value)],
        condition=Post.post_id.exists(),
    )


@posts.delete("/{post_id}/vote", status_code=204)
def unvote(thread_id: UUID, post_id: str = PostId, viewer: Viewer = Depends(current_viewer)):
    key = f"{thread_id}#{post_id}"
    try:
        existing = Vote.get(key, viewer.user_id)
    except Vote.DoesNotExist:
        return
    try:
        with TransactWrite() as tx:
            tx.delete(existing, condition=Vote.value == existing.value)
            tx.update(
                Post(str(thread_id), post_id),
                actions=[Post.score.add(-int(existing.value))],
                condition=Post.post_id.exists(),
            )
    except TransactWriteError:
        raise HTTPException(409, "vote changed, retry")


# --- reports -----------------------------------------------------------------


@reports.post("", response_model=ReportOut, status_code=201)
async def report_post(body: ReportIn, viewer: Viewer = Depends(current_viewer)):
    report = Report(
        report_id=str(uuid.uuid4()),
        thread_id=str(body.thread_id),
        post_id=body.post_id,
        reporter_id=viewer.user_id,
        reason=body.reason,
    )
    report.save(condition=Report.report_id.does_not_exist())
    return report


# --- moderation --------------------------------------------------------------


@mod.get("/reports", response_model=List[ReportOut])
def open_reports(moderator: Viewer = Depends(require_moderator)):
    return list(Report.scan(Report.status == "open"))


@mod.post("/reports/{report_id}/resolve", response_model=ReportOut)
def resolve_report(report_id: UUID, moderator: Viewer = Depends(require_moderator)):
    try:
        report = Report.get(str(report_id))
    except Report.DoesNotExist:
        raise HTTPException(404, "report not found")
    report.update(actions=[Report.status.set("resolved"), Report.resolved_by.set(moderator.user_id)])
    return report


@mod.post("/threads/{thread_id}/lock", response_model=ThreadOut)
def lock_thread(thread_id: UUID, moderator: Viewer = Depends(require_moderator)):
    thread = Thread(str(thread_id))
    try:
        thread.update(actions=[Thread.state.set("locked")], condition=Thread.state == "open")
    except UpdateError:
        raise HTTPException(409, "thread is not open")
    return thread


@mod.post("/threads/{thread_id}/posts/{post_id}/hide", status_code=204)
def hide_post(thread_id: UUID, post_id: str = PostId, moderator: Viewer = Depends(require_moderator)):
    try:
        Post(str(thread_id), post_id).update(
            actions=[Post.deleted.set(True)],
            condition=Post.post_id.exists(),
        )
    except UpdateError:
        raise HTTPException(404, "post not found")


@mod.delete("/threads/{thread_id}", status_code=204)
def purge_thread(thread_id: UUID, moderator: Viewer = Depends(require_moderator)):
    tid = str(thread_id)
    for post in Post.query(tid):
        post.delete()
    try:
        Thread(tid).delete(condition=Thread.thread_id.exists())
    except DeleteError:
        raise HTTPException(404, "thread not found")
