"""A notes API on DynamoDB with one switch per planted bug; no switch = the clean twin.

Each bug is the smallest realistic mistake that gives one probe its proof. The clean
twin shows what the hardened code does instead (ownership and version in the write's
condition, constrained ids, response models, server-set fields).
"""

# No `from __future__ import annotations`: the routes are annotated with types chosen at
# runtime (the planted variants), which FastAPI must be able to evaluate.

import itertools
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

import boto3
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

BUGS = frozenset(
    {
        "bola_read",  # DG201: GET does not compare the owner
        "bola_comment",  # DG201 on a nested resource: a comment read skips the owner check
        "bola_write",  # DG202: PUT/DELETE have no owner condition
        "unauth",  # DG203: GET works with no credentials
        "mass_assign",  # DG204: create accepts owner/version/is_admin from the body
        "lost_update",  # DG205: PUT has no version condition
        "id_tamper",  # DG206: PUT writes to the body's note_id
        "error_leak",  # DG207: str(ClientError) returned to the client
        "unvalidated",  # DG208: the id is parsed unchecked (ValueError -> 500)
        "overexpose",  # DG209: GET returns the raw item (internal fields)
        "leaky_list",  # DG209: GET /notes lists everyone's notes
        "oracle",  # DG210: 403 for others' notes, 404 for missing ones
        "predictable",  # DG211: ids from a counter
    }
)

TOKENS = {
    "tok-alice-5ecret-A1": "alice",
    "tok-bob-5ecret-B2": "bob",
    "tok-carol-5ecret-C3": "carol",
}
ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"


class NoteIn(BaseModel):
    title: str
    body: str = ""


class NoteInLoose(NoteIn):
    owner: str | None = None
    version: int | None = None
    is_admin: bool | None = None


class NoteUpdate(BaseModel):
    title: str
    body: str = ""
    version: int


class NoteUpdateLoose(BaseModel):
    title: str
    body: str = ""
    version: int | None = None
    note_id: str | None = None


class NoteOut(BaseModel):
    note_id: str
    title: str
    body: str
    owner: str
    version: int
    is_admin: bool = False


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as JSON-ready values (Decimal -> int)."""
    return {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}


# One factory with the routes inside, so each planted switch sits next to the code it changes.
def make_app(  # noqa: PLR0915
    table_name: str, bugs: Iterable[str] = (), **client_kwargs: str
) -> FastAPI:
    """The notes API on `table_name`; `bugs` picks the planted mistakes."""
    on = frozenset(bugs)
    unknown = on - BUGS
    assert not unknown, unknown
    table = boto3.resource("dynamodb", **client_kwargs).Table(table_name)
    app = FastAPI(title=f"notes ({','.join(sorted(on)) or 'clean'})")
    app.state.log = []
    # Identities the app stops accepting after N authenticated requests (a revoked token).
    app.state.revoke_after = {}
    seen: dict[str, int] = {}
    counter = itertools.count(1)
    bearer = HTTPBearer(auto_error=False)

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        app.state.log.append((request.method, request.url.path))
        response: Response = await call_next(request)
        return response

    def principal(
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str | None:
        who = TOKENS.get(creds.credentials) if creds else None
        if who is not None:
            seen[who] = seen.get(who, 0) + 1
            if seen[who] > app.state.revoke_after.get(who, 10**9):
                return None
        return who

    def user(p: Annotated[str | None, Depends(principal)]) -> str:
        if p is None:
            raise HTTPException(401, "not authenticated")
        return p

    reader = principal if "unauth" in on else user
    NoteId = (
        Annotated[str, Path()] if "unvalidated" in on else Annotated[str, Path(pattern=ID_PATTERN)]
    )
    create_model = NoteInLoose if "mass_assign" in on else NoteIn
    update_model = NoteUpdateLoose if on & {"lost_update", "id_tamper"} else NoteUpdate

    def load(note_id: str) -> dict[str, Any] | None:
        item = table.get_item(Key={"note_id": note_id}).get("Item")
        return plain(item) if item else None

    @app.get("/admin/reset")
    def reset(me: Annotated[str, Depends(user)]) -> dict[str, int]:
        # A destructive GET, as real APIs have: the prober must never call it.
        items = table.scan()["Items"]
        for item in items:
            table.delete_item(Key={"note_id": item["note_id"]})
        return {"deleted": len(items)}

    @app.post("/notes", status_code=201, response_model=NoteOut)
    def create(
        note: create_model,  # type: ignore[valid-type]
        me: Annotated[str, Depends(user)],
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> dict[str, Any]:
        note_id = str(next(counter)) if "predictable" in on else str(uuid.uuid4())
        # `_last_auth` keeps the caller's token: only the raw-item bug ever returns it.
        item = {
            "note_id": note_id,
            "owner": me,
            "version": 1,
            "is_admin": False,
            "_audit": f"created by {me}",
            "share_token": uuid.uuid4().hex,
            "_last_auth": creds.credentials if creds else "",
        }
        given = note.model_dump(exclude_none=True)
        item = {**item, **given} if "mass_assign" in on else {**given, **item}
        table.put_item(Item=item)
        return item

    @app.get("/notes", response_model=list[NoteOut])
    def list_notes(me: Annotated[str, Depends(user)]) -> list[dict[str, Any]]:
        items = [plain(i) for i in table.scan()["Items"] if i.get("kind") != "comment"]
        return items if "leaky_list" in on else [i for i in items if i["owner"] == me]

    @app.get("/notes/{note_id}", response_model=NoteOut)
    def read(note_id: NoteId, me: Annotated[str | None, Depends(reader)]) -> Any:
        if "unvalidated" in on:
            note_id = str(int(note_id)) if note_id.isdigit() else str(uuid.UUID(note_id))
        item = load(note_id)
        if item is None:
            raise HTTPException(404, "not found")
        allowed = "bola_read" in on or ("unauth" in on and me is None)
        if item["owner"] != me and not allowed:
            raise HTTPException(403 if "oracle" in on else 404, "not found")
        return JSONResponse(item) if "overexpose" in on else item

    @app.put("/notes/{note_id}", response_model=NoteOut)
    def update(
        note_id: NoteId,
        note: update_model,
        me: Annotated[str, Depends(user)],  # type: ignore[valid-type]
    ) -> dict[str, Any]:
        current = load(note_id)
        if current is None or (current["owner"] != me and "bola_write" not in on):
            raise HTTPException(404, "not found")
        key = (getattr(note, "note_id", None) or note_id) if "id_tamper" in on else note_id
        conditions = ["attribute_exists(note_id)"]
        names: dict[str, str] = {}
        values: dict[str, Any] = {":t": note.title, ":b": note.body, ":one": 1}
        if "bola_write" not in on:
            conditions.append("#o = :me")
            names["#o"], values[":me"] = "owner", me
        if "lost_update" not in on:
            conditions.append("version = :seen")
            values[":seen"] = note.version
        extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        try:
            new = table.update_item(
                Key={"note_id": key},
                UpdateExpression="SET title = :t, body = :b ADD version :one",
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                **extra,
            )["Attributes"]
        except ClientError as exc:
            detail = str(exc) if "error_leak" in on else "conflict"
            raise HTTPException(409, detail) from None
        return plain(new)

    @app.delete("/notes/{note_id}", status_code=204)
    def delete(note_id: NoteId, me: Annotated[str, Depends(user)]) -> Response:
        kwargs: dict[str, Any] = {"ConditionExpression": "attribute_exists(note_id)"}
        if "bola_write" not in on:
            kwargs = {
                "ConditionExpression": "attribute_exists(note_id) AND #o = :me",
                "ExpressionAttributeNames": {"#o": "owner"},
                "ExpressionAttributeValues": {":me": me},
            }
        try:
            table.delete_item(Key={"note_id": note_id}, **kwargs)
        except ClientError:
            raise HTTPException(404, "not found") from None
        return Response(status_code=204)

    add_comments(app, table, on, user)
    return app


class CommentIn(BaseModel):
    text: str


class CommentOut(BaseModel):
    comment_id: str
    note_id: str
    text: str
    owner: str


def add_comments(app: FastAPI, table: Any, on: frozenset[str], user: Any) -> None:
    """A nested resource: /notes/{note_id}/comments and .../comments/{comment_id}."""
    CommentId = Annotated[str, Path(pattern=ID_PATTERN)]
    NoteId = Annotated[str, Path(pattern=ID_PATTERN)]
    Me = Annotated[str, Depends(user)]

    def mine(note_id: str, me: str) -> None:
        note = table.get_item(Key={"note_id": note_id}).get("Item")
        if note is None or note.get("owner") != me:
            raise HTTPException(404, "not found")

    def comment(note_id: str, comment_id: str) -> dict[str, Any]:
        item = table.get_item(Key={"note_id": f"c-{comment_id}"}).get("Item")
        if item is None or item["parent"] != note_id:
            raise HTTPException(404, "not found")
        return {
            "comment_id": comment_id,
            "note_id": note_id,
            "text": item["text"],
            "owner": item["owner"],
        }

    @app.post("/notes/{note_id}/comments", status_code=201, response_model=CommentOut)
    def add(note_id: NoteId, body: CommentIn, me: Me) -> dict[str, Any]:
        mine(note_id, me)
        cid = uuid.uuid4().hex
        table.put_item(
            Item={
                "note_id": f"c-{cid}",
                "kind": "comment",
                "parent": note_id,
                "owner": me,
                "text": body.text,
            }
        )
        return {"comment_id": cid, "note_id": note_id, "text": body.text, "owner": me}

    @app.get("/notes/{note_id}/comments/{comment_id}", response_model=CommentOut)
    def read(note_id: NoteId, comment_id: CommentId, me: Me) -> dict[str, Any]:
        if "bola_comment" not in on:
            mine(note_id, me)
        return comment(note_id, comment_id)

    @app.delete("/notes/{note_id}/comments/{comment_id}", status_code=204)
    def remove(note_id: NoteId, comment_id: CommentId, me: Me) -> Response:
        mine(note_id, me)
        comment(note_id, comment_id)
        table.delete_item(Key={"note_id": f"c-{comment_id}"})
        return Response(status_code=204)
