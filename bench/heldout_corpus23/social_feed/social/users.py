from fastapi import APIRouter, Depends, HTTPException, status
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from .auth import Viewer, current_viewer
from .models import Block, Follow, Profile, user_pk
from .schemas import FollowOut, ProfileCreate, ProfileOut, ProfileUpdate, Username
from .settings import Settings, get_settings

router = APIRouter(tags=["users"])


def _profile_out(profile: Profile) -> ProfileOut:
    return ProfileOut(
        username=profile.username,
        display_name=profile.display_name,
        bio=profile.bio,
        avatar_url=profile.avatar_url,
        is_private=profile.is_private,
        verified=profile.verified,
        followers_count=profile.followers_count,
        following_count=profile.following_count,
    )


def load_profile(username: str) -> Profile:
    try:
        return Profile.get(*Profile.key_for(username))
    except Profile.DoesNotExist:
        raise HTTPException(status_code=404, detail="user not found")


def is_blocked(by: str, who: str) -> bool:
    try:
        Block.get(user_pk(by), f"BLOCK#{who}")
    except Block.DoesNotExist:
        return False
    return True


def ensure_can_view(profile: Profile, viewer: Viewer) -> None:
    if profile.username == viewer.username:
        return
    if is_blocked(by=profile.username, who=viewer.username):
        raise HTTPException(status_code=404, detail="user not found")
    if not profile.is_private:
        return
    try:
        link = Follow.get(user_pk(viewer.username), f"FOLLOWS#{profile.username}")
    except Follow.DoesNotExist:
        link = None
    if link is None or link.status != "approved":
        raise HTTPException(status_code=403, detail="this account is private")


def _connection(settings: Settings) -> Connection:
    return Connection(region=settings.aws_region, host=settings.dynamodb_host)


@router.post("/profiles", response_model=ProfileOut, status_code=201)
def create_profile(body: ProfileCreate, viewer: Viewer = Depends(current_viewer)):
    pk, sk = Profile.key_for(viewer.username)
    profile = Profile(
        pk,
        sk,
        username=viewer.username,
        display_name=body.display_name,
        bio=body.bio,
        is_private=body.is_private,
    )
    try:
        profile.save(condition=Profile.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="profile already exists")
        raise
    return _profile_out(profile)


@router.get("/users/{username}", response_model=ProfileOut)
def get_profile(username: Username, viewer: Viewer = Depends(current_viewer)):
    profile = load_profile(username)
    if is_blocked(by=username, who=viewer.username):
        raise HTTPException(status_code=404, detail="user not found")
    return _profile_out(profile)


@router.patch("/me", response_model=ProfileOut)
def update_me(body: ProfileUpdate, viewer: Viewer = Depends(current_viewer)):
    profile = load_profile(viewer.username)
    changes = body.model_dump(exclude_unset=True)
    if changes:
        profile.update(
            actions=[getattr(Profile, field).set(value) for field, value in changes.items()]
        )
    return _profile_out(profile)


@router.post("/users/{username}/follow", response_model=FollowOut, status_code=201)
def follow_user(
    username: Username,
    viewer: Viewer = Depends(current_viewer),
    settings: Settings = Depends(get_settings),
):
    if username == viewer.username:
        raise HTTPException(status_code=400, detail="you cannot follow yourself")
    target = load_profile(username)
    if is_blocked(by=username, who=viewer.username):
        raise HTTPException(status_code=404, detail="user not found")

    link_status = "pending" if target.is_private else "approved"
    link = Follow.build(viewer.username, username, link_status)
    try:
        with TransactWrite(connection=_connection(settings)) as tx:
            tx.save(link, condition=Follow.sk.does_not_exist())
            if link_status == "approved":
                tx.update(
                    Profile(*Profile.key_for(username)),
                    actions=[Profile.followers_count.add(1)],
                    condition=Profile.pk.exists(),
                )
                tx.update(
                    Profile(*Profile.key_for(viewer.username)),
                    actions=[Profile.following_count.add(1)],
                    condition=Profile.pk.exists(),
                )
    except TransactWriteError as exc:
        raise HTTPException(
            status_code=409,
            detail=f"could not follow {username}: {exc.cause_response_message}",
        )
    return FollowOut(followee=username, status=link_status)


@router.delete("/users/{username}/follow", status_code=status.HTTP_204_NO_CONTENT)
def unfollow_user(username: Username, viewer: Viewer = Depends(current_viewer)):
    try:
        link = Follow.get(user_pk(viewer.username), f"FOLLOWS#{username}")
    except Follow.DoesNotExist:
        raise HTTPException(status_code=404, detail="you do not follow this user")
    link.delete()
    if link.status == "approved":
        Profile(*Profile.key_for(username)).update(
            actions=[Profile.followers_count.add(-1)], condition=Profile.pk.exists()
        )
        Profile(*Profile.key_for(viewer.username)).update(
            actions=[Profile.following_count.add(-1)], condition=Profile.pk.exists()
        )


@router.get("/users/{username}/followers", response_model=list[str])
def list_followers(
    username: Username,
    viewer: Viewer = Depends(current_viewer),
    settings: Settings = Depends(get_settings),
):
    ensure_can_view(load_profile(username), viewer)
    links = Follow.followers.query(
        f"FOLLOWERS#{username}",
        filter_condition=Follow.status == "approved",
        limit=settings.page_size,
    )
    return [link.follower for link in links]


@router.post("/me/follow-requests/{follower}/approve", response_model=FollowOut)
def approve_follow_request(follower: Username, viewer: Viewer = Depends(current_viewer)):
    try:
        pending = Follow.get(user_pk(follower), f"FOLLOWS#{viewer.username}")
    except Follow.DoesNotExist:
        raise HTTPException(status_code=404, detail="no such follow request")
    if pending.status != "pending":
        raise HTTPException(status_code=409, detail="request already handled")

    pending.update(actions=[Follow.status.set("approved")])
    Profile(*Profile.key_for(viewer.username)).update(
        actions=[Profile.followers_count.add(1)], condition=Profile.pk.exists()
    )
    Profile(*Profile.key_for(follower)).update(
        actions=[Profile.following_count.add(1)], condition=Profile.pk.exists()
    )
    return FollowOut(followee=viewer.username, status="approved")


@router.delete("/me/follow-requests/{follower}", status_code=status.HTTP_204_NO_CONTENT)
def reject_follow_request(follower: Username, viewer: Viewer = Depends(current_viewer)):
    request_item = Follow(user_pk(follower), f"FOLLOWS#{viewer.username}")
    try:
        request_item.delete(condition=Follow.status == "pending")
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="no such follow request")
        raise


@router.put("/me/blocks/{username}", status_code=status.HTTP_204_NO_CONTENT)
def block_user(username: Username, viewer: Viewer = Depends(current_viewer)):
    if username == viewer.username:
        raise HTTPException(status_code=400, detail="you cannot block yourself")
    entry = Block(user_pk(viewer.username), f"BLOCK#{username}", blocked=username)
    try:
        entry.save(condition=Block.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


@router.delete("/me/blocks/{username}", status_code=status.HTTP_204_NO_CONTENT)
def unblock_user(username: Username, viewer: Viewer = Depends(current_viewer)):
    try:
        Block(user_pk(viewer.username), f"BLOCK#{username}").delete(condition=Block.sk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="user is not blocked")
        raise
