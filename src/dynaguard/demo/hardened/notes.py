"""/notes routes of the hardened app."""

from __future__ import annotations

import uuid

from boto3.dynamodb.conditions import Attr
from fastapi import APIRouter, Response

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.hardened.db import Db
from dynaguard.demo.hardened.models import NoteCreate, NoteOut, NoteUpdate
from dynaguard.demo.hardened.web import IfMatch, Uid, with_etag
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.guard.types import Item

router = APIRouter(prefix="/notes", tags=["notes"])


@router.post("", response_model=NoteOut, status_code=201)
async def create_note(body: NoteCreate, user: CurrentUser, db: Db, response: Response) -> Item:
    """Create a note: random uuid id (not guessable), create-only."""
    item = {"note_id": uuid.uuid4().hex, **body.model_dump()}
    created = await db.notes.create(item, owner=user, server_values={"attachment_count": 0})
    return with_etag(response, created)


@router.get("", response_model=list[NoteOut])
async def list_notes(user: CurrentUser, db: Db) -> list[Item]:
    """The caller's notes (first 100), awaited on aioboto3: the event loop never blocks."""
    return (await db.notes.list(owner=user, index=OWNER_INDEX, limit=100)).items


@router.get("/{note_id}", response_model=NoteOut)
async def read_note(note_id: Uid, user: CurrentUser, db: Db, response: Response) -> Item:
    """One note; 404 when it is someone else's."""
    return with_etag(response, await db.notes.get({"note_id": note_id}, owner=user))


@router.put("/{note_id}", response_model=NoteOut)
async def update_note(
    note_id: Uid,
    body: NoteUpdate,
    *,
    user: CurrentUser,
    db: Db,
    version: IfMatch,
    response: Response,
) -> Item:
    """Edit a note: If-Match required; a stale ETag is a 412, never a lost update."""
    item = await db.notes.update(
        {"note_id": note_id}, body.model_dump(), owner=user, expected_version=version
    )
    return with_etag(response, item)


@router.delete("/{note_id}", status_code=204)
async def delete_note(note_id: Uid, user: CurrentUser, db: Db) -> Response:
    """Delete a note: the owner is in the DeleteItem's condition."""
    await db.notes.delete({"note_id": note_id}, owner=user)
    return Response(status_code=204)


@router.put("/{note_id}/pin", response_model=NoteOut)
async def pin_note(note_id: Uid, user: CurrentUser, db: Db, response: Response) -> Item:
    """Pin a note (authenticated; owner in the condition; idempotent, so no If-Match)."""
    item = await db.notes.update({"note_id": note_id}, {"pinned": True}, owner=user)
    return with_etag(response, item)


@router.post("/{note_id}/archive", response_model=NoteOut)
async def archive_note(note_id: Uid, user: CurrentUser, db: Db, response: Response) -> Item:
    """Archive a note: `status` is a reserved word, which the guard aliases.

    Only an active note can be archived: the allowed prior state is in the write's
    condition (`when=`), so a second archive is a 409, not a silent rewrite.
    """
    active = Attr("status").not_exists() | Attr("status").eq("active")
    item = await db.notes.update(
        {"note_id": note_id}, {"status": "archived"}, owner=user, when=active
    )
    return with_etag(response, item)
