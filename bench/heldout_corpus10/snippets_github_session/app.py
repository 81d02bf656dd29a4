"""Code snippets, signed in with GitHub. Sessions live in DynamoDB."""

from __future__ import annotations

import os
import secrets
import time
from enum import Enum
from typing import Annotated, Any, TypedDict
from urllib.parse import urlencode
from uuid import uuid4

import boto3
import httpx
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Cookie, Depends, FastAPI, HTTPException, Path, Query, Response
from fastapi import WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

GITHUB_CLIENT_ID = os.environ["GITHUB_CLIENT_ID"]
GITHUB_CLIENT_SECRET = os.environ["GITHUB_CLIENT_SECRET"]
SESSION_SECONDS = 7 * 24 * 3600
REQUESTS_PER_MINUTE = 120

_ddb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
sessions = _ddb.Table(os.environ.get("SESSIONS_TABLE", "snip-sessions"))
users = _ddb.Table(os.environ.get("USERS_TABLE", "snip-users"))
snippets = _ddb.Table(os.environ.get("SNIPPETS_TABLE", "snip-snippets"))
ratelimits = _ddb.Table(os.environ.get("RATELIMIT_TABLE", "snip-ratelimits"))


class SessionItem(TypedDict):
    session_id: str
    github_id: int
    login: str
    expires_at: int


class SnippetItem(TypedDict, total=False):
    snippet_id: str
    owner_id: int
    title: str
    body: str
    language: str
    status: str
    star_count: int
    stargazers: list[int]
    comments: list[dict[str, Any]]


class SnippetStatus(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


TRANSITIONS: dict[SnippetStatus, set[SnippetStatus]] = {
    SnippetStatus.DRAFT: {SnippetStatus.IN_REVIEW},
    SnippetStatus.IN_REVIEW: {SnippetStatus.DRAFT, SnippetStatus.PUBLISHED},
    SnippetStatus.PUBLISHED: {SnippetStatus.ARCHIVED},
    SnippetStatus.ARCHIVED: set(),
}

SnippetId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class Viewer(BaseModel):
    github_id: int
    login: str
    session_id: str


class SnippetIn(BaseModel):
    title: str = Field(max_length=120)
    body: str = Field(max_length=50_000)
    language: str = Field(default="text", max_length=32)


class SnippetPatch(BaseModel):
    title: str | None = Field(default=None, max_length=120)
    body: str | None = Field(default=None, max_length=50_000)
    language: str | None = Field(default=None, max_length=32)


class SnippetOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    snippet_id: str
    owner_id: int
    title: str
    body: str
    language: str
    status: SnippetStatus
    star_count: int = 0


class TransitionIn(BaseModel):
    to: SnippetStatus


class ProfilePatch(BaseModel):
    display_name: str | None = Field(default=None, max_length=64)
    bio: str | None = Field(default=None, max_length=400)
    plan: str | None = None


# --- sessions: cookie -> session item -> viewer -> rate limit -----------------


def get_session(
    session_id: Annotated[str | None, Cookie(min_length=32, max_length=64)] = None,
) -> SessionItem:
    if session_id is None:
        raise HTTPException(401, "not signed in")
    item = sessions.get_item(Key={"session_id": session_id}).get("Item")
    if item is None or int(item["expires_at"]) < time.time():
        raise HTTPException(401, "session expired")
    return SessionItem(
        session_id=item["session_id"],
        github_id=int(item["github_id"]),
        login=item["login"],
        expires_at=int(item["expires_at"]),
    )


def current_viewer(sess: Annotated[SessionItem, Depends(get_session)]) -> Viewer:
    return Viewer(github_id=sess["github_id"], login=sess["login"], session_id=sess["session_id"])


def rate_limited(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    window = int(time.time() // 60)
    resp = ratelimits.update_item(
        Key={"bucket": f"{viewer.github_id}#{window}"},
        UpdateExpression="ADD hits :one SET ttl = if_not_exists(ttl, :expires)",
        ExpressionAttributeValues={":one": 1, ":expires": (window + 2) * 60},
        ReturnValues="UPDATED_NEW",
    )
    if int(resp["Attributes"]["hits"]) > REQUESTS_PER_MINUTE:
        raise HTTPException(429, "slow down")
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
LimitedViewer = Annotated[Viewer, Depends(rate_limited)]

app = FastAPI(title="snippets")
auth = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["snippets"])


# --- GitHub OAuth ---------------------------------------------------------------


@auth.get("/login")
def login() -> RedirectResponse:
    state = secrets.token_urlsafe(24)
    query = urlencode({"client_id": GITHUB_CLIENT_ID, "state": state, "scope": "read:user"})
    redirect = RedirectResponse(f"https://github.com/login/oauth/authorize?{query}")
    redirect.set_cookie("oauth_state", state, httponly=True, secure=True, max_age=600)
    return redirect


@auth.get("/callback")
def callback(
    code: Annotated[str, Query(max_length=64)],
    state: Annotated[str, Query(max_length=64)],
    oauth_state: Annotated[str | None, Cookie()] = None,
) -> RedirectResponse:
    if oauth_state is None or not secrets.compare_digest(state, oauth_state):
        raise HTTPException(400, "bad state")
    token = httpx.post(
        "https://github.com/login/oauth/access_token",
        data={"client_id": GITHUB_CLIENT_ID, "client_secret": GITHUB_CLIENT_SECRET, "code": code},
        headers={"Accept": "application/json"},
        timeout=10,
    ).json()
    if "access_token" not in token:
        raise HTTPException(400, "github refused the code")
    gh = httpx.get(
        "https://api.github.com/user",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    ).json()
    session_id = secrets.token_hex(32)
    now = int(time.time())
    _ddb.meta.client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": sessions.name,
                    "Item": {
                        "session_id": session_id,
                        "github_id": gh["id"],
                        "login": gh["login"],
                        "expires_at": now + SESSION_SECONDS,
                    },
                    "ConditionExpression": "attribute_not_exists(session_id)",
                }
            },
            {
                "Update": {
                    "TableName": users.name,
                    "Key": {"github_id": gh["id"]},
                    "UpdateExpression": "SET login = :l, avatar_url = :a, "
                    "created_at = if_not_exists(created_at, :now), #p = if_not_exists(#p, :free)",
                    "ConditionExpression": "attribute_not_exists(github_id) OR github_id = :gid",
                    "ExpressionAttributeNames": {"#p": "plan"},
                    "ExpressionAttributeValues": {
                        ":l": gh["login"],
                        ":a": gh.get("avatar_url", ""),
                        ":now": now,
                        ":free": "free",
                        ":gid": gh["id"],
                    },
                }
            },
        ]
    )
    redirect = RedirectResponse("/")
    redirect.set_cookie("session_id", session_id, httponly=True, secure=True, samesite="lax")
    redirect.delete_cookie("oauth_state")
    return redirect


@auth.post("/logout", status_code=204)
def logout(sess: Annotated[SessionItem, Depends(get_session)], response: Response) -> None:
    sessions.delete_item(
        Key={"session_id": sess["session_id"]},
        ConditionExpression="github_id = :gid",
        ExpressionAttributeValues={":gid": sess["github_id"]},
    )
    response.delete_cookie("session_id")


# --- profile ----------------------------------------------------------------------


@router.get("/me")
def read_me(viewer: CurrentViewer):
    return users.get_item(Key={"github_id": viewer.github_id})["Item"]


@router.patch("/me", status_code=204)
def patch_me(patch: ProfilePatch, viewer: LimitedViewer) -> None:
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if not changes:
        return
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    users.update_item(
        Key={"github_id": viewer.github_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(github_id)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


# --- snippets ---------------------------------------------------------------------


@router.post("/snippets", status_code=201, response_model=SnippetOut)
def create_snippet(body: SnippetIn, viewer: LimitedViewer) -> SnippetOut:
    item: SnippetItem = {
        "snippet_id": uuid4().hex,
        "owner_id": viewer.github_id,
        "status": SnippetStatus.DRAFT.value,
        "star_count": 0,
        **body.model_dump(mode="json"),
    }
    try:
        snippets.put_item(Item=item, ConditionExpression="attribute_not_exists(snippet_id)")
    except ClientError as exc:
        raise HTTPException(502, detail=f"could not store snippet: {exc}") from exc
    return SnippetOut.model_validate(item)


@router.get("/snippets", response_model=list[SnippetOut])
def my_snippets(viewer: CurrentViewer) -> list[SnippetOut]:
    kwargs: dict[str, Any] = {
        "IndexName": "owner-index",
        "KeyConditionExpression": Key("owner_id").eq(viewer.github_id),
    }
    out: list[SnippetOut] = []
    while True:
        page = snippets.query(**kwargs)
        out.extend(SnippetOut.model_validate(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.get("/snippets/search", response_model=list[SnippetOut])
def search_snippets(viewer: CurrentViewer, q: Annotated[str, Query(max_length=64)]) -> list[SnippetOut]:
    resp = snippets.scan(FilterExpression=Attr("title").contains(q))
    return [SnippetOut.model_validate(i) for i in resp["Items"]]


@router.get("/snippets/{snippet_id}", response_model=SnippetOut)
def read_snippet(snippet_id: SnippetId, viewer: CurrentViewer) -> SnippetOut:
    item = snippets.get_item(Key={"snippet_id": snippet_id}).get("Item")
    if item is None:
        raise HTTPException(404, "no such snippet")
    if item["owner_id"] != viewer.github_id and item["status"] != SnippetStatus.PUBLISHED.value:
        raise HTTPException(403, "this snippet is private")
    return SnippetOut.model_validate(item)


@router.api_route("/snippets/{snippet_id}", methods=["PUT", "PATCH"], response_model=SnippetOut)
def edit_snippet(snippet_id: SnippetId, patch: SnippetPatch, viewer: LimitedViewer) -> SnippetOut:
    item = snippets.get_item(Key={"snippet_id": snippet_id}).get("Item")
    if item is None or item["owner_id"] != viewer.github_id:
        raise HTTPException(404, "no such snippet")
    changes = patch.model_dump(exclude_none=True)
    if not changes:
        return SnippetOut.model_validate(item)
    resp = snippets.update_item(
        Key={"snippet_id": snippet_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(snippet_id)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
        ReturnValues="ALL_NEW",
    )
    return SnippetOut.model_validate(resp["Attributes"])


@router.post("/snippets/{snippet_id}/transition", response_model=SnippetOut)
def transition(snippet_id: SnippetId, body: TransitionIn, viewer: LimitedViewer) -> SnippetOut:
    item = snippets.get_item(Key={"snippet_id": snippet_id}).get("Item")
    if item is None or item["owner_id"] != viewer.github_id:
        raise HTTPException(404, "no such snippet")
    current = SnippetStatus(item["status"])
    if body.to not in TRANSITIONS[current]:
        raise HTTPException(409, f"cannot go from {current.value} to {body.to.value}")
    try:
        resp = snippets.update_item(
            Key={"snippet_id": snippet_id},
            UpdateExpression="SET #s = :to",
            ConditionExpression="#s = :from AND owner_id = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":to": body.to.value, ":from": current.value, ":me": viewer.github_id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "snippet changed, reload it") from exc
        raise
    return SnippetOut.model_validate(resp["Attributes"])


@router.post("/snippets/{snippet_id}/archive", status_code=204)
def archive(snippet_id: SnippetId, viewer: LimitedViewer) -> None:
    snippets.update_item(
        Key={"snippet_id": snippet_id},
        UpdateExpression="SET #s = :archived, archived_at = :now",
        ConditionExpression="owner_id = :me",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":archived": "archived", ":now": int(time.time()), ":me": viewer.github_id},
    )


@router.post("/snippets/{snippet_id}/star")
def star(snippet_id: SnippetId, viewer: LimitedViewer) -> dict[str, int]:
    try:
        resp = snippets.update_item(
            Key={"snippet_id": snippet_id},
            UpdateExpression="SET stargazers = list_append(if_not_exists(stargazers, :empty), :me) "
            "ADD star_count :one",
            ConditionExpression="#s = :published AND NOT contains(stargazers, :gid)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":empty": [],
                ":me": [viewer.github_id],
                ":gid": viewer.github_id,
                ":one": 1,
                ":published": SnippetStatus.PUBLISHED.value,
            },
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "no such snippet") from exc
        raise
    return {"stars": int(resp["Attributes"]["star_count"])}


@router.delete("/snippets/{snippet_id}", status_code=204)
def delete_snippet(snippet_id: SnippetId, viewer: LimitedViewer) -> None:
    try:
        snippets.delete_item(
            Key={"snippet_id": snippet_id},
            ConditionExpression=Attr("owner_id").eq(viewer.github_id),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "no such snippet") from exc
        raise
    users.update_item(
        Key={"github_id": viewer.github_id},
        UpdateExpression="ADD snippet_count :minus",
        ExpressionAttributeValues={":minus": -1},
    )


@router.get("/explore", response_model=list[SnippetOut])
def explore() -> list[SnippetOut]:
    kwargs: dict[str, Any] = {"FilterExpression": Attr("status").eq(SnippetStatus.PUBLISHED.value)}
    out: list[SnippetOut] = []
    while True:
        page = snippets.scan(**kwargs)
        out.extend(SnippetOut.model_validate(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.websocket("/ws/snippets/{snippet_id}/comments")
async def comments_socket(websocket: WebSocket, snippet_id: str) -> None:
    session_id = websocket.cookies.get("session_id")
    if not session_id:
        await websocket.close(code=4401)
        return
    resp = await run_in_threadpool(sessions.get_item, Key={"session_id": session_id})
    sess = resp.get("Item")
    if sess is None or int(sess["expires_at"]) < time.time():
        await websocket.close(code=4401)
        return
    await websocket.accept()
    try:
        while True:
            text = (await websocket.receive_text())[:2000]
            comment = {"author": int(sess["github_id"]), "text": text, "at": int(time.time())}
            snippets.update_item(
                Key={"snippet_id": snippet_id},
                UpdateExpression="SET comments = list_append(if_not_exists(comments, :empty), :c)",
                ExpressionAttributeValues={":empty": [], ":c": [comment]},
            )
            await websocket.send_json({"ok": True, "comment": comment})
    except WebSocketDisconnect:
        return


app.include_router(auth)
app.include_router(router)
