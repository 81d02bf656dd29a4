"""Attachment routes of the hardened app."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.hardened.db import Db
from dynaguard.demo.hardened.models import AttachmentCreate, AttachmentOut
from dynaguard.demo.hardened.web import Uid, with_etag
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.guard.types import Item

router = APIRouter(tags=["attachments"])


@router.post("/notes/{note_id}/attachments", response_model=AttachmentOut, status_code=201)
async def add_attachment(
    note_id: Uid, body: AttachmentCreate, user: CurrentUser, db: Db, response: Response
) -> Item:
    """Attach a file: the counter and the attachment commit together, or neither does."""
    note = await db.notes.get({"note_id": note_id}, owner=user)
    count = int(str(note.get("attachment_count", 0)))
    item = {"attachment_id": uuid.uuid4().hex, "note_id": note_id, **body.model_dump()}
    version = int(str(note.get("version", 0)))
    async with db.notes.transaction() as tx:
        # The version condition makes a concurrent attachment a 412, not a miscount.
        tx.update(
            {"note_id": note_id},
            {},
            owner=user,
            expected_version=version,
            server_values={"attachment_count": count + 1},
            label="note",
        )
        tx.create(item, owner=user, table=db.attachments, label="attachment")
    return with_etag(response, {**item, "owner_id": user, "version": 1})


@router.get("/notes/{note_id}/attachments", response_model=list[AttachmentOut])
async def list_attachments(note_id: Uid, user: CurrentUser, db: Db) -> list[Item]:
    """The caller's attachments of one of their notes (404 for anyone else's note)."""
    await db.notes.get({"note_id": note_id}, owner=user)
    page = await db.attachments.list(owner=user, index=OWNER_INDEX, limit=1000)
    return [a for a in page.items if a.get("note_id") == note_id]


@router.get("/attachments/{attachment_id}", response_model=AttachmentOut)
async def read_attachment(
    attachment_id: Uid, user: CurrentUser, db: Db, response: Response
) -> Item:
    """One attachment: the id is constrained (422 before DynamoDB), 404 for others'."""
    item = await db.attachments.get({"attachment_id": attachment_id}, owner=user)
    return with_etag(response, item)
