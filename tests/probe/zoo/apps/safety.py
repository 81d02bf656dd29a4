"""Hostile-to-the-prober targets: a breakable account, dotted ids, id-less creates, slashes.

Each is a small FastAPI + boto3 app written to catch one way a careless --active run
harms the target or loses track of what it created.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import enum
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Response
from pydantic import BaseModel

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    dynamo_table,
    expect_ok,
    hash_password,
    issue,
    scan_keys,
    subject,
    table_name,
)


class Credentials(BaseModel):
    username: str
    password: str


def _accounts(api: FastAPI, users: Any, roles: Any = str) -> Any:
    """Signup and login on `users`; returns the dependency giving the caller's record.

    `roles` loads the stored role (an Enum breaks on a value it does not know).
    """

    @api.post("/signup", status_code=201)
    def signup(body: Credentials) -> dict[str, str]:
        users.put_item(
            Item={"username": body.username, "pw": hash_password(body.password), "role": "member"}
        )
        return {"username": body.username}

    @api.post("/login")
    def login(body: Credentials) -> dict[str, str]:
        item = users.get_item(Key={"username": body.username}).get("Item")
        if item is None or item["pw"] != hash_password(body.password):
            raise HTTPException(401, "bad credentials")
        return {"access_token": issue(body.username, role=str(roles(item["role"])))}

    def record(authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
        name = subject(authorization.removeprefix("Bearer "))
        item = users.get_item(Key={"username": name}).get("Item") if name else None
        if item is None:
            raise HTTPException(401, "not signed in")
        return dict(item)

    return record


async def _login(client: Any, name: str) -> str:
    creds = {"username": name, "password": PASSWORD}
    await client.post("/signup", json=creds)
    answer = await client.post("/login", json=creds)
    return f"Authorization: Bearer {expect_ok(answer).json()['access_token']}"


class Role(enum.Enum):
    """The roles the loader knows. `admin` was renamed `moderator` here, not in the API."""

    MEMBER = "member"
    MODERATOR = "moderator"


class ProfilePatch(BaseModel):
    display_name: str | None = None
    # The request model still declares the old value: the spec says `admin` is valid.
    role: Literal["member", "admin"] | None = None


class NoteIn(BaseModel):
    text: str


def breakable_account() -> Zoo:
    """Storing role `admin` makes every later request as that user a 500 (login included)."""
    users = dynamo_table(table_name("enum-users"), "username")
    notes = dynamo_table(table_name("enum-notes"), "note_id")
    api = FastAPI(title="breakable accounts")
    record = _accounts(api, users, Role)
    log: list[tuple[str, str]] = []
    state: dict[str, Any] = {"broken_at": None}

    def member(item: Annotated[dict[str, Any], Depends(record)]) -> dict[str, Any]:
        try:
            item["role"] = Role(item["role"])
        except ValueError:
            # The first request that meets a broken account: where the run should stop.
            if state["broken_at"] is None:
                state["broken_at"] = len(log)
            raise
        return item

    Me = Annotated[dict[str, Any], Depends(member)]

    @api.get("/users/me")
    def me(user: Me) -> dict[str, Any]:
        return {
            "username": user["username"],
            "role": user["role"].value,
            "display_name": user.get("display_name", ""),
        }

    @api.patch("/users/me")
    def patch_me(body: ProfilePatch, user: Me) -> dict[str, Any]:
        changes = body.model_dump(exclude_none=True)
        users.put_item(Item={**user, "role": user["role"].value, **changes})
        return {"username": user["username"], **changes}

    @api.get("/notes")
    def list_notes(user: Me) -> list[dict[str, Any]]:
        return [n for n in notes.scan()["Items"] if n["owner"] == user["username"]]

    @api.post("/notes", status_code=201)
    def add_note(body: NoteIn, user: Me) -> dict[str, Any]:
        item = {"note_id": uuid.uuid4().hex, "owner": user["username"], "text": body.text}
        notes.put_item(Item=item)
        return item

    @api.get("/notes/{note_id}")
    def read_note(note_id: str, user: Me) -> dict[str, Any]:
        item = notes.get_item(Key={"note_id": note_id}).get("Item")
        if item is None or item["owner"] != user["username"]:
            raise HTTPException(404, "no such note")
        return dict(item)

    @api.delete("/notes/{note_id}", status_code=204)
    def delete_note(note_id: str, user: Me) -> Response:
        read_note(note_id, user)
        notes.delete_item(Key={"note_id": note_id})
        return Response(status_code=204)

    app = RequestLog(api)
    app.entries = log

    def snapshot() -> set[str]:
        return {f"user:{k}" for k in scan_keys(users, "username")} | {
            f"note:{k}" for k in scan_keys(notes, "note_id")
        }

    return Zoo(app=app, snapshot=snapshot, login=_login, state=state)


class ThingIn(BaseModel):
    title: str


def dotted_ids() -> Zoo:
    """Creates answer ids `.`, `..`, `/` and `a/b` first (a slug of an odd title), then uuids."""
    users = dynamo_table(table_name("dot-users"), "username")
    things = dynamo_table(table_name("things"), "thing_id")
    api = FastAPI(title="dotted ids")
    record = _accounts(api, users)
    Me = Annotated[dict[str, Any], Depends(record)]
    odd: Iterator[str] = iter([".", "..", "/", "a/b"])

    @api.get("/things")
    def list_things(user: Me) -> dict[str, list[dict[str, Any]]]:
        items = things.scan()["Items"]
        return {"things": [t for t in items if t["owner"] == user["username"]]}

    @api.post("/things", status_code=201)
    def create(body: ThingIn, user: Me) -> dict[str, Any]:
        item = {
            "thing_id": next(odd, uuid.uuid4().hex),
            "owner": user["username"],
            **body.model_dump(),
        }
        things.put_item(Item=item)
        return item

    @api.get("/things/{thing_id}")
    def read(thing_id: str, user: Me) -> dict[str, Any]:
        item = things.get_item(Key={"thing_id": thing_id}).get("Item")
        if item is None or item["owner"] != user["username"]:
            raise HTTPException(404, "no such thing")
        return dict(item)

    @api.delete("/things/{thing_id}", status_code=204)
    def delete(thing_id: str, user: Me) -> Response:
        read(thing_id, user)
        things.delete_item(Key={"thing_id": thing_id})
        return Response(status_code=204)

    def snapshot() -> set[str]:
        return {f"user:{k}" for k in scan_keys(users, "username")} | {
            f"thing:{k}" for k in scan_keys(things, "thing_id")
        }

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=_login)


class BookmarkIn(BaseModel):
    url: str
    title: str = ""


def idless_creates() -> Zoo:
    """POST /bookmarks answers `{"ok": true}`: the id appears only in the list."""
    users = dynamo_table(table_name("bm-users"), "username")
    bookmarks = dynamo_table(table_name("bookmarks"), "bookmark_id")
    api = FastAPI(title="bookmarks")
    record = _accounts(api, users)
    Me = Annotated[dict[str, Any], Depends(record)]
    Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

    @api.get("/bookmarks")
    def list_bookmarks(user: Me) -> dict[str, Any]:
        mine = [b for b in bookmarks.scan()["Items"] if b["owner"] == user["username"]]
        return {"bookmarks": mine, "total": len(mine)}

    @api.post("/bookmarks", status_code=201)
    def add(body: BookmarkIn, user: Me) -> dict[str, bool]:
        bookmarks.put_item(
            Item={"bookmark_id": uuid.uuid4().hex, "owner": user["username"], **body.model_dump()}
        )
        return {"ok": True}

    @api.get("/bookmarks/{bookmark_id}")
    def read(bookmark_id: Id, user: Me) -> dict[str, Any]:
        item = bookmarks.get_item(Key={"bookmark_id": bookmark_id}).get("Item")
        if item is None or item["owner"] != user["username"]:
            raise HTTPException(404, "no such bookmark")
        return dict(item)

    @api.delete("/bookmarks/{bookmark_id}", status_code=204)
    def delete(bookmark_id: Id, user: Me) -> Response:
        read(bookmark_id, user)
        bookmarks.delete_item(Key={"bookmark_id": bookmark_id})
        return Response(status_code=204)

    def snapshot() -> set[str]:
        return {f"user:{k}" for k in scan_keys(users, "username")} | {
            f"bookmark:{k}" for k in scan_keys(bookmarks, "bookmark_id")
        }

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=_login)


class WidgetIn(BaseModel):
    name: str
    colour: str = "blue"


def slashed_collections(bug: str | None = None) -> Zoo:
    """`/widgets/` and `/widgets/{widget_id}/`, as FastAPI routers often end; bug: bola_read."""
    assert bug in (None, "bola_read"), bug
    users = dynamo_table(table_name("w-users"), "username")
    widgets = dynamo_table(table_name("widgets"), "widget_id")
    api = FastAPI(title="widgets")
    record = _accounts(api, users)
    Me = Annotated[dict[str, Any], Depends(record)]
    Id = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]

    @api.get("/widgets/")
    def list_widgets(user: Me) -> list[dict[str, Any]]:
        return [w for w in widgets.scan()["Items"] if w["owner"] == user["username"]]

    @api.post("/widgets/", status_code=201)
    def add(body: WidgetIn, user: Me) -> dict[str, Any]:
        item = {"widget_id": str(uuid.uuid4()), "owner": user["username"], **body.model_dump()}
        widgets.put_item(Item=item)
        return item

    @api.get("/widgets/{widget_id}/")
    def read(widget_id: Id, user: Me) -> dict[str, Any]:
        item = widgets.get_item(Key={"widget_id": widget_id}).get("Item")
        if item is None or (item["owner"] != user["username"] and bug != "bola_read"):
            raise HTTPException(404, "no such widget")
        return dict(item)

    @api.delete("/widgets/{widget_id}/", status_code=204)
    def delete(widget_id: Id, user: Me) -> Response:
        item = widgets.get_item(Key={"widget_id": widget_id}).get("Item")
        if item is None or item["owner"] != user["username"]:
            raise HTTPException(404, "no such widget")
        widgets.delete_item(Key={"widget_id": widget_id})
        return Response(status_code=204)

    def snapshot() -> set[str]:
        return {f"user:{k}" for k in scan_keys(users, "username")} | {
            f"widget:{k}" for k in scan_keys(widgets, "widget_id")
        }

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=_login)
