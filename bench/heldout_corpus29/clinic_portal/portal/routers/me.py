"""Patient self-service: the caller's MRN comes from the token (custom:mrn)."""
from typing import List

from fastapi import APIRouter, Depends, HTTPException, status

from ..auth import PATIENT, CurrentUser, require_role
from ..db import now_iso
from ..repositories import appointments, patients
from ..schemas import AppointmentOut, PatientOut, PatientSelfUpdate

router = APIRouter(prefix="/me", tags=["me"])


def my_mrn(user: CurrentUser = Depends(require_role(PATIENT))) -> str:
    if not user.mrn:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "account not linked to a patient record")
    return user.mrn


@router.get("/patient", response_model=PatientOut)
def my_record(mrn: str = Depends(my_mrn)):
    patient = patients.by_mrn(mrn)
    if patient is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "record not found")
    return patient


@router.patch("/patient", response_model=PatientOut)
def update_my_record(body: PatientSelfUpdate, mrn: str = Depends(my_mrn)):
    changes = body.dict(exclude_unset=True)
    if not changes:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "nothing to update")
    changes["updated_at"] = now_iso()
    return patients.update({"mrn": mrn}, changes)


@router.get("/appointments", response_model=List[AppointmentOut])
def my_appointments(mrn: str = Depends(my_mrn)):
    return appointments.for_patient(mrn)
