"""Clinical notes, written and read by the patient's own doctor."""
from typing import List
from uuid import uuid4

from fastapi import APIRouter, Depends, HTTPException, Path, status

from ..auth import DOCTOR, CurrentUser, require_role
from ..db import now_iso
from ..repositories import notes, patients
from ..schemas import MRN_RE, NoteCreate, NoteOut

router = APIRouter(prefix="/patients/{mrn}/notes", tags=["notes"])


@router.post("", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(
    body: NoteCreate,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    patient = patients.by_mrn(mrn)
    if patient is None or patient.get("primary_doctor") != user.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    note = {
        "mrn": mrn,
        "note_id": str(uuid4()),
        "author": user.sub,
        "body": body.body,
        "visibility": body.visibility,
        "created_at": now_iso(),
    }
    notes.create(note)
    return note


@router.get("", response_model=List[NoteOut])
def list_notes(
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    patient = patients.by_mrn(mrn)
    if patient is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    if patient.get("primary_doctor") != user.sub:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not your patient")
    return [NoteOut(**n) for n in notes.for_patient(mrn)]


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(
    note_id: str,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    notes.table.delete_item(Key={"mrn": mrn, "note_id": note_id})
