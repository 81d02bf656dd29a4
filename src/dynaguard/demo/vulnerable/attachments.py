"""Attachment routes of the vulnerable app."""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.demo.vulnerable.db import attachments, notes
from dynaguard.demo.vulnerable.models import AttachmentCreate, AttachmentOut

router = APIRouter(tags=["attachments"])


@router.post("/notes/{note_id}/attachments", response_model=AttachmentOut, status_code=201)
def add_attachment(note_id: int, body: AttachmentCreate, user: CurrentUser) -> Any:
    """Attach a file to one of the caller's notes."""
    try:
        notes.update_item(
            Key={"note_id": str(note_id)},
            UpdateExpression="ADD attachment_count :one",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeValues={":one": 1, ":me": user},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise HTTPException(404, "note not found") from None
        raise
    item = {
        "attachment_id": uuid.uuid4().hex,
        "note_id": str(note_id),
        "owner_id": user,
        **body.model_dump(),
    }
    # PLANT non-atomic multi-item write: the counter above and this put are two writes;
    # when the put fails the note counts an attachment that does not exist. No probe
    # (needs a fault between the writes); the hardened app uses one transaction.
    attachments.put_item(  # expect: DG109
        Item=item, ConditionExpression="attribute_not_exists(attachment_id)"
    )
    return item


@router.get("/notes/{note_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(note_id: int, user: CurrentUser) -> Any:
    """The caller's attachments of one note."""
    resp = attachments.query(
        IndexName=OWNER_INDEX,
        KeyConditionExpression="owner_id = :me",
        FilterExpression="note_id = :n",
        ExpressionAttributeValues={":me": user, ":n": str(note_id)},
    )
    return resp["Items"]


@router.get("/attachments/{attachment_id}", response_model=AttachmentOut)
def read_attachment(attachment_id: str, user: CurrentUser) -> Any:
    """One attachment."""
    # PLANT unvalidated identifier: any string reaches the key. A blank one (" ") is an
    # empty key after the strip, and one over 2048 bytes is too long (real DynamoDB;
    # moto does not check reads): a ValidationException, i.e. a 500. Probe: DG208.
    key = attachment_id.strip()  # copy-pasted ids come with spaces
    resp = attachments.get_item(Key={"attachment_id": key})  # expect: DG113
    item = resp.get("Item")
    if item is None or item["owner_id"] != user:
        raise HTTPException(404, "attachment not found")
    return item
