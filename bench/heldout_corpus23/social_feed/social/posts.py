from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request, status
from pynamodb.exceptions import DeleteError
from ulid import ULID

from .auth import Viewer, current_viewer
from .models import FeedEntry, Follow, Post, user_pk, utcnow
from .schemas import FeedItemOut, PostCreate, PostEdit, PostId, PostOut, Username
from .settings import Settings, get_settings
from .users import ensure_can_view, load_profile

router = APIRouter(tags=["posts"])


def _post_out(post: Post) -> PostOut:
    return PostOut(
        post_id=post.post_id,
        author=post.author,
        body=post.body,
        like_count=post.like_count,
        created_at=post.created_at,
        edited_at=post.edited_at,
    )


def fan_out_post(author: str, post_id: str, preview: str, created_at: datetime) -> None:
    settings = get_settings()
    followers = Follow.followers.query(
        f"FOLLOWERS#{author}",
        filter_condition=Follow.status == "approved",
        limit=settings.feed_fanout_limit,
    )
    sort_key = f"{created_at.isoformat()}#{post_id}"
    with FeedEntry.batch_write() as batch:
        for link in followers:
            batch.save(
                FeedEntry(
                    f"FEED#{link.follower}",
                    sort_key,
                    post_id=post_id,
                    author=author,
                    preview=preview,
                )
            )


@router.post("/posts", response_model=PostOut, status_code=201)
def create_post(
    body: PostCreate,
    request: Request,
    background_tasks: BackgroundTasks,
    viewer: Viewer = Depends(current_viewer),
):
    post_id = str(ULID())
    post = Post(
        user_pk(viewer.username),
        f"POST#{post_id}",
        post_id=post_id,
        author=viewer.username,
        body=body.body,
        gsi2pk=f"AUTHOR#{viewer.username}",
        client_ip=request.client.host if request.client else None,
    )
    post.save(condition=Post.sk.does_not_exist())
    background_tasks.add_task(fan_out_post, viewer.username, post_id, body.body[:140], post.created_at)
    return _post_out(post)


@router.get("/users/{username}/posts", response_model=list[PostOut])
def list_user_posts(
    username: Username,
    viewer: Viewer = Depends(current_viewer),
    settings: Settings = Depends(get_settings),
):
    ensure_can_view(load_profile(username), viewer)
    posts = Post.timeline.query(
        f"AUTHOR#{username}", scan_index_forward=False, limit=settings.page_size
    )
    return [_post_out(post) for post in posts]


@router.get("/users/{username}/posts/{post_id}", response_model=PostOut)
def get_post(username: Username, post_id: str, viewer: Viewer = Depends(current_viewer)):
    try:
        post = Post.get(user_pk(username), f"POST#{post_id}")
    except Post.DoesNotExist:
        raise HTTPException(status_code=404, detail="post not found")
    return _post_out(post)


@router.patch("/posts/{post_id}", response_model=PostOut)
def edit_post(post_id: PostId, body: PostEdit, viewer: Viewer = Depends(current_viewer)):
    try:
        post = Post.get(user_pk(viewer.username), f"POST#{post_id}")
    except Post.DoesNotExist:
        raise HTTPException(status_code=404, detail="post not found")
    post.body = body.body
    post.edited_at = utcnow()
    post.save()
    return _post_out(post)


@router.delete("/posts/{post_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_post(post_id: PostId, viewer: Viewer = Depends(current_viewer)):
    post = Post(user_pk(viewer.username), f"POST#{post_id}")
    try:
        post.delete(condition=Post.author == viewer.username)
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="post not found")
        raise


@router.get("/feed", response_model=list[FeedItemOut])
async def home_feed(
    viewer: Viewer = Depends(current_viewer),
    settings: Settings = Depends(get_settings),
    before: str | None = Query(default=None, max_length=80),
):
    condition = FeedEntry.sk < before if before else None
    entries = FeedEntry.query(
        f"FEED#{viewer.username}",
        condition,
        scan_index_forward=False,
        limit=settings.page_size,
    )
    return [
        FeedItemOut(post_id=entry.post_id, author=entry.author, preview=entry.preview)
        for entry in entries
    ]


@router.get("/search/posts")
def search_posts(
    q: str = Query(min_length=3, max_length=50),
    viewer: Viewer = Depends(current_viewer),
):
    results = Post.scan(Post.body.contains(q), limit=50)
    return [post.attribute_values for post in results]
