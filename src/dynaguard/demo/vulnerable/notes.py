"""/notes routes of the vulnerable app."""

from __future__ import annotations

import itertools
from typing import Any

from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import JSONResponse

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.settings import OWNER_INDEX
from dynaguard.demo.vulnerable.db import notes
from dynaguard.demo.vulnerable.models import NoteCreate, NoteOut, NoteUpdate

router = APIRouter(prefix="/notes", tags=["notes"])

# PLANT sequential ids: a process-wide counter, so note 7 follows note 6 and every id
# is guessable (which turns the BOLA read below into a crawl). Probe: DG211.
_next_id = itertools.count(1)


@router.post("", response_model=NoteOut, status_code=201)
def create_note(body: NoteCreate, user: CurrentUser) -> Any:
    """Create a note owned by the caller."""
    item = {"note_id": str(next(_next_id)), "owner_id": user, **body.model_dump()}
    notes.put_item(Item=item, ConditionExpression="attribute_not_exists(note_id)")
    return item


@router.get("", response_model=list[NoteOut])
async def list_notes(user: CurrentUser) -> Any:
    """The caller's notes."""
    # PLANT blocking call in async: a synchronous boto3 call inside `async def` stalls
    # the event loop, and every other request with it. No probe (a latency effect).
    resp = notes.query(  # expect: DG111
        IndexName=OWNER_INDEX,
        KeyConditionExpression="owner_id = :me",
        ExpressionAttributeValues={":me": user},
    )
    return resp["Items"]


@router.get("/{note_id}", response_model=NoteOut)
def read_note(note_id: int, user: CurrentUser) -> Any:
    """One note."""
    # PLANT BOLA read: the id from the path is the whole key and nothing compares the
    # note's owner with the caller; bob reads alice's note. Probe: DG201.
    item = notes.get_item(Key={"note_id": str(note_id)}).get("Item")  # expect: DG103
    if item is None:
        raise HTTPException(404, "note not found")
    return item


@router.put("/{note_id}", response_model=NoteOut)
def update_note(note_id: int, body: NoteUpdate, user: CurrentUser) -> Any:
    """Edit a note (owner in the condition, but no version: last writer wins)."""
    try:
        resp = notes.update_item(
            Key={"note_id": str(note_id)},
            UpdateExpression="SET title = :t, body = :b",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeValues={":t": body.title, ":b": body.body, ":me": user},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise HTTPException(404, "note not found") from None
        raise
    return resp["Attributes"]


@router.delete("/{note_id}", status_code=204)
def delete_note(note_id: int, user: CurrentUser) -> Response:
    """Delete a note."""
    # PLANT BOLA delete: only existence is checked, never the owner; bob deletes
    # alice's note. Probe: DG202.
    try:
        notes.delete_item(  # expect: DG103
            Key={"note_id": str(note_id)},
            ConditionExpression="attribute_exists(note_id)",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise HTTPException(404, "note not found") from None
        raise
    return Response(status_code=204)


@router.put("/{note_id}/pin", response_model=NoteOut)
def pin_note(note_id: int) -> Any:
    """Pin a note."""
    # PLANT unauthenticated write: the route forgot its auth dependency; anyone on the
    # network pins anyone's note. Probe: DG203.
    try:
        resp = notes.update_item(  # expect: DG104, DG103
            Key={"note_id": str(note_id)},
            UpdateExpression="SET pinned = :t",
            ConditionExpression="attribute_exists(note_id)",
            ExpressionAttributeValues={":t": True},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise HTTPException(404, "note not found") from None
        raise
    return resp["Attributes"]


@router.post("/{note_id}/archive")
def archive_note(note_id: int, user: CurrentUser) -> Any:
    """Archive a note."""
    try:
        # PLANT reserved word: `status` is reserved, so this update always fails (no probe);
        # and nothing conditions the current status: any note can be re-archived (DG119).
        notes.update_item(  # expect: DG108, DG119
            Key={"note_id": str(note_id)},
            UpdateExpression="SET status = :s",
            ConditionExpression="owner_id = :me",
            ExpressionAttributeValues={":s": "archived", ":me": user},
        )
    except ClientError as exc:
        # PLANT error detail leak: the botocore message (error code, operation, the
        # expression) goes back to the client. Probe: DG207.
        return JSONResponse({"error": str(exc)}, status_code=500)  # expect: DG112
    return {"note_id": str(note_id), "status": "archived"}
