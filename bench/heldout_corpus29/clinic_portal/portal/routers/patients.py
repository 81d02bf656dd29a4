from typing import Any, Dict, List, Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse

from ..auth import DOCTOR, PATIENT, RECEPTION, CurrentUser, require_role
from ..db import now_iso
from ..repositories import appointments, notes, patients
from ..schemas import (
    MRN_RE,
    AppointmentOut,
    PatientCreate,
    PatientExport,
    PatientOut,
    PatientUpdate,
    TransferRequest,
)

router = APIRouter(prefix="/patients", tags=["patients"])


def visible_to(patient: Dict[str, Any], user: CurrentUser) -> bool:
    """Reception sees everyone, doctors their own patients, patients themselves."""
    if user.has(RECEPTION):
        return True
    if user.has(DOCTOR) and patient.get("primary_doctor") == user.sub:
        return True
    return user.has(PATIENT) and patient["mrn"] == user.mrn


@router.post("", response_model=PatientOut, status_code=status.HTTP_201_CREATED)
def register_patient(body: PatientCreate, user: CurrentUser = Depends(require_role(RECEPTION))):
    item = body.dict()
    item["date_of_birth"] = body.date_of_birth.isoformat()
    item.update(created_at=now_iso(), registered_by=user.sub)
    try:
        patients.create(item)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "MRN already registered")
        raise
    return item


@router.get("/{mrn}", response_model=PatientOut)
def get_patient(
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR, RECEPTION)),
):
    patient = patients.by_mrn(mrn)
    if patient is None or not visible_to(patient, user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    return patient


@router.patch("/{mrn}", response_model=PatientOut)
def update_patient(
    body: PatientUpdate,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(RECEPTION)),
):
    changes = body.dict(exclude_unset=True)
    if not changes:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "nothing to update")
    changes.update(updated_at=now_iso(), updated_by=user.sub)
    return patients.update({"mrn": mrn}, changes)


@router.post("/{mrn}/transfer", status_code=status.HTTP_204_NO_CONTENT)
def transfer_patient(
    body: TransferRequest,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(RECEPTION)),
):
    patient = patients.by_mrn(mrn)
    if patient is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    try:
        patients.transfer(mrn, patient.get("primary_doctor"), body.doctor_id, user.sub)
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "patient was reassigned meanwhile")
        raise


@router.get("/{mrn}/appointments", response_model=List[AppointmentOut])
def patient_appointments(
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(PATIENT, DOCTOR, RECEPTION)),
):
    patient = patients.by_mrn(mrn)
    if patient is None or not visible_to(patient, user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    return appointments.for_patient(mrn)


def build_export(mrn: str, user: CurrentUser) -> Optional[Dict[str, Any]]:
    patient = patients.by_mrn(mrn)
    if patient is None or not visible_to(patient, user):
        return None
    return {
        "patient": patient,
        "appointments": appointments.for_patient(mrn),
        "notes": notes.for_patient(mrn),
    }


@router.get("/{mrn}/export", response_model=PatientExport)
async def export_patient(
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    try:
        bundle = build_export(mrn, user)
    except ClientError as e:
        return JSONResponse(
            status_code=status.HTTP_502_BAD_GATEWAY,
            content={"detail": "export failed", "error": str(e)},
        )
    if bundle is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "patient not found")
    return bundle
