from typing import Annotated, Literal
from uuid import uuid4

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.transactions import TransactWrite

from .auth import BillingAdmin, Caller, CallerDep
from .models import Poll, Profile, Tally, Vote, utcnow
from .settings import get_settings


class ApiRouter(APIRouter):
    """APIRouter under a versioned prefix, with the 404 every resource documents."""

    def __init__(self, resource: str, *, version: int = 1, **kwargs) -> None:
        kwargs.setdefault("responses", {404: {"description": "Not found"}})
        super().__init__(prefix=f"/v{version}/{resource}", tags=[resource], **kwargs)


polls = ApiRouter("polls")
profiles = ApiRouter("me")
admin = ApiRouter("admin")

PollId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class PollIn(BaseModel):
    question: str = Field(min_length=3, max_length=300)
    options: list[str] = Field(min_length=2, max_length=10)
    tags: set[str] = Field(default_factory=set, max_length=5)
    visibility: Literal["public", "private"] = "public"


class PollPatch(BaseModel):
    question: str | None = Field(None, min_length=3, max_length=300)
    tags: set[str] | None = Field(None, max_length=5)
    visibility: Literal["public", "private"] | None = None


class PollOut(BaseModel):
    poll_id: str
    owner_sub: str
    question: str
    options: list[str]
    tags: set[str] | None = None
    visibility: str
    status: str
    total_votes: int


class VoteIn(BaseModel):
    option: str = Field(min_length=1, max_length=100)
    user_id: str | None = None  # kiosk mode: a moderator's device votes for someone


class VoteOut(BaseModel):
    poll_id: str
    option: str


class TallyOut(BaseModel):
    option: str
    votes: int


class ProfileIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=60)
    plan: Literal["free", "pro"] = "free"


class ProfileOut(BaseModel):
    sub: str
    display_name: str | None = None
    plan: str
    polls_created: int
    followed: set[str] | None = None


class PlanIn(BaseModel):
    plan: Literal["free", "pro"]


def _out(poll: Poll) -> PollOut:
    return PollOut(**poll.attribute_values)


def load_visible(poll_id: str, caller: Caller) -> Poll:
    try:
        poll = Poll.get(poll_id)
    except Poll.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "poll not found")
    if poll.visibility == "private" and poll.owner_sub != caller.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "poll not found")
    return poll


def load_owned(poll_id: str, caller: Caller) -> Poll:
    poll = load_visible(poll_id, caller)
    if poll.owner_sub != caller.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "poll not found")
    return poll


# -- polls ---------------------------------------------------------------------

@polls.post("", response_model=PollOut, status_code=201)
def create_poll(body: PollIn, caller: CallerDep):
    poll = Poll(poll_id=uuid4().hex, owner_sub=caller.sub, question=body.question,
                options=body.options, tags=body.tags or None, visibility=body.visibility)
    try:
        poll.save(condition=Poll.poll_id.does_not_exist())
    except PutError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"could not save poll: {exc}")
    return _out(poll)


@polls.get("", response_model=list[PollOut], response_model_exclude={"owner_sub"})
def get_many(caller: CallerDep, ids: list[str] = Query(max_length=25)):
    found = Poll.batch_get([i for i in ids if len(i) == 32])
    return [_out(p) for p in found if p.visibility == "public" or p.owner_sub == caller.sub]


@polls.get("/{poll_id}", response_model=PollOut, response_model_exclude={"owner_sub"})
async def get_poll(poll_id: PollId, caller: CallerDep):
    return _out(await run_in_threadpool(load_visible, poll_id, caller))


@polls.patch("/{poll_id}", response_model=PollOut)
def update_poll(poll_id: PollId, body: PollPatch, caller: CallerDep):
    poll = load_owned(poll_id, caller)
    actions = []
    if body.question is not None:
        actions.append(Poll.question.set(body.question))
    if body.tags is not None:
        actions.append(Poll.tags.set(body.tags or None))
    if body.visibility is not None:
        actions.append(Poll.visibility.set(body.visibility))
    if actions:
        poll.update(actions=actions, condition=(Poll.owner_sub == caller.sub) & (Poll.status == "open"))
    return _out(poll)


@polls.post("/{poll_id}/close", response_model=PollOut)
def close_poll(poll_id: PollId, caller: CallerDep):
    poll = load_owned(poll_id, caller)
    poll.update(actions=[Poll.status.set("closed"), Poll.closed_at.set(utcnow())],
                condition=Poll.owner_sub == caller.sub)
    return _out(poll)


@polls.delete("/{poll_id}", status_code=204)
def delete_poll(poll_id: PollId, caller: CallerDep):
    try:
        poll = Poll.get(poll_id)
    except Poll.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "poll not found")
    if poll.owner_sub != caller.sub:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your poll")
    poll.delete()
    return Response(status_code=204)


# -- votes ---------------------------------------------------------------------

@polls.post("/{poll_id}/votes", status_code=201)
def vote(poll_id: PollId, body: VoteIn, caller: CallerDep):
    poll = load_visible(poll_id, caller)
    if poll.status != "open":
        raise HTTPException(status.HTTP_409_CONFLICT, "poll is closed")
    if body.option not in poll.options:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "unknown option")
    ballot = Vote(poll_id=poll_id, user_id=body.user_id or caller.sub, option=body.option)
    ballot.save(condition=Vote.user_id.does_not_exist())
    Tally(poll_id, body.option).update(actions=[Tally.votes.add(1)])
    poll.update(actions=[Poll.total_votes.add(1)], condition=Poll.status == "open")
    return {"poll_id": poll_id, "option": body.option}


@polls.delete("/{poll_id}/votes/me", status_code=204)
def retract_vote(poll_id: PollId, caller: CallerDep):
    try:
        ballot = Vote.get(poll_id, caller.sub)
    except Vote.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no vote to retract")
    with TransactWrite(connection=Connection(region=get_settings().aws_region)) as tx:
        tx.delete(ballot, condition=Vote.option == ballot.option)
        tx.update(Tally(poll_id, ballot.option), actions=[Tally.votes.add(-1)], condition=Tally.votes > 0)
        tx.update(Poll(poll_id), actions=[Poll.total_votes.add(-1)], condition=Poll.status == "open")
    return Response(status_code=204)


@polls.get("/{poll_id}/results", response_model=list[TallyOut])
async def results(poll_id: PollId, caller: CallerDep):
    await run_in_threadpool(load_visible, poll_id, caller)
    return [TallyOut(option=t.option, votes=t.votes) for t in Tally.query(poll_id)]


@polls.get("/{poll_id}/votes")
def list_votes(poll_id: PollId, caller: CallerDep):
    return [v.attribute_values for v in Vote.query(poll_id)]


# -- the caller's profile ------------------------------------------------------

@profiles.get("", response_model=ProfileOut)
def get_profile(caller: CallerDep):
    try:
        return ProfileOut(**Profile.get(caller.sub).attribute_values)
    except Profile.DoesNotExist:
        return ProfileOut(sub=caller.sub, plan="free", polls_created=0)


@profiles.put("", response_model=ProfileOut)
def put_profile(body: ProfileIn, caller: CallerDep):
    profile = Profile(sub=caller.sub, **body.model_dump())
    profile.save()
    return ProfileOut(**profile.attribute_values)


@profiles.get("/polls", response_model=list[PollOut])
def my_polls(caller: CallerDep):
    return [_out(p) for p in Poll.scan() if p.owner_sub == caller.sub]


@profiles.post("/followed/{poll_id}", status_code=204)
def follow(poll_id: PollId, caller: CallerDep):
    load_visible(poll_id, caller)
    Profile(caller.sub).update(actions=[Profile.followed.add({poll_id})], condition=Profile.sub.exists())
    return Response(status_code=204)


# -- billing administration ----------------------------------------------------

@admin.put("/profiles/{sub}/plan", response_model=ProfileOut)
def set_plan(sub: str, body: PlanIn, admin_caller: BillingAdmin):
    profile = Profile(sub)
    profile.update(actions=[Profile.plan.set(body.plan)], condition=Profile.sub.exists())
    return ProfileOut(**profile.attribute_values)


# -- added with the mobile client ----------------------------------------------

@polls.get("/{poll_id}/votes/me", response_model=VoteOut)
def my_vote(poll_id: PollId, caller: CallerDep):
    try:
        ballot = Vote.get(poll_id, caller.sub)
    except Vote.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no vote")
    return VoteOut(poll_id=ballot.poll_id, option=ballot.option)


@polls.post("/{poll_id}/reopen", status_code=204)
def reopen_poll(poll_id: PollId, caller: CallerDep):
    try:
        Poll(poll_id).update(actions=[Poll.status.set("open"), Poll.closed_at.remove()],
                             condition=(Poll.owner_sub == caller.sub) & (Poll.status == "closed"))
    except UpdateError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "poll not found")
    return Response(status_code=204)


@profiles.delete("/followed/{poll_id}", status_code=204)
def unfollow(poll_id: PollId, caller: CallerDep):
    Profile(caller.sub).update(actions=[Profile.followed.delete({poll_id})], condition=Profile.sub.exists())
    return Response(status_code=204)
