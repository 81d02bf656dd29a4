"""Appointment workflow: requested -> confirmed -> done, or cancelled."""
from datetime import date, datetime, timezone
from typing import List, Optional
from uuid import UUID, uuid4

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Path, Query, status

from .. import notify
from ..auth import DOCTOR, PATIENT, RECEPTION, CurrentUser, current_user, require_role
from ..db import now_iso
from ..repositories import appointments, doctors, patients, slots
from ..schemas import (
    MRN_RE,
    SUB_RE,
    AppointmentOut,
    AppointmentRequest,
    CompleteRequest,
    RescheduleRequest,
)

router = APIRouter(tags=["appointments"])

CANCELLABLE = ("requested", "confirmed")


def _key(mrn: str, appointment_id: UUID) -> dict:
    return {"mrn": mrn, "appointment_id": str(appointment_id)}


@router.post("/appointments", response_model=AppointmentOut, status_code=status.HTTP_201_CREATED)
def request_appointment(
    body: AppointmentRequest,
    background: BackgroundTasks,
    user: CurrentUser = Depends(require_role(PATIENT)),
):
    if not user.mrn:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "account not linked to a patient record")
    doctor = doctors.get(doctor_id=body.doctor_id)
    if doctor is None or not doctor.get("accepting_patients", True):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "doctor not available")

    item = body.dict()
    item.update(
        mrn=user.mrn,
        appointment_id=str(uuid4()),
        starts_at=body.starts_at.astimezone(timezone.utc).isoformat(),
        requested_by=user.sub,
        created_at=now_iso(),
    )
    appointments.create(item)
    background.add_task(
        notify.appointment_requested, doctor.get("email"), item["appointment_id"], item["starts_at"]
    )
    return item


@router.get("/appointments/busy")
def busy_slots(
    doctor_id: str = Query(..., regex=SUB_RE),
    day: date = Query(...),
    user: CurrentUser = Depends(current_user),
):
    resp = appointments.table.scan(
        FilterExpression=Attr("doctor_id").eq(doctor_id)
        & Attr("starts_at").begins_with(day.isoformat())
    )
    return resp["Items"]


@router.get("/doctors/me/appointments", response_model=List[AppointmentOut])
def my_schedule(
    since: Optional[date] = None,
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    return appointments.for_doctor(user.sub, (since or date.today()).isoformat())


@router.post("/appointments/{mrn}/{appointment_id}/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_appointment(
    appointment_id: UUID,
    background: BackgroundTasks,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    appt = appointments.get(**_key(mrn, appointment_id))
    if appt is None or appt.get("doctor_id") != user.sub:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
    try:
        appointments.confirm(mrn, str(appointment_id), user.sub, appt["starts_at"])
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "not pending, or the slot is taken")
        raise
    patient = patients.by_mrn(mrn) or {}
    background.add_task(notify.appointment_changed, patient.get("phone"), "confirmed", appt["starts_at"])


@router.post("/appointments/{mrn}/{appointment_id}/cancel", response_model=AppointmentOut)
def cancel_appointment(
    appointment_id: UUID,
    background: BackgroundTasks,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(PATIENT, RECEPTION)),
):
    if not user.has(RECEPTION) and mrn != user.mrn:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
    appt = appointments.get(**_key(mrn, appointment_id))
    if appt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
    if appt["status"] not in CANCELLABLE:
        raise HTTPException(status.HTTP_409_CONFLICT, f"cannot cancel a {appt['status']} appointment")
    updated = appointments.update(
        _key(mrn, appointment_id),
        {"status": "cancelled", "cancelled_at": now_iso(), "cancelled_by": user.sub},
        condition="attribute_exists(appointment_id)",
    )
    patient = patients.by_mrn(mrn) or {}
    background.add_task(notify.appointment_changed, patient.get("phone"), "cancelled", appt["starts_at"])
    return updated


@router.post("/appointments/{mrn}/{appointment_id}/complete", response_model=AppointmentOut)
def complete_appointment(
    appointment_id: UUID,
    body: CompleteRequest,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(DOCTOR)),
):
    try:
        return appointments.complete(mrn, str(appointment_id), user.sub, body.summary)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
        raise


@router.post("/appointments/{mrn}/{appointment_id}/reschedule", response_model=AppointmentOut)
def reschedule_appointment(
    appointment_id: UUID,
    body: RescheduleRequest,
    mrn: str = Path(..., regex=MRN_RE),
    user: CurrentUser = Depends(require_role(RECEPTION)),
):
    appt = appointments.get(**_key(mrn, appointment_id))
    if appt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
    new_start = body.starts_at.astimezone(timezone.utc).isoformat()
    if new_start <= datetime.now(timezone.utc).isoformat():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "new time is in the past")
    try:
        slots.create(
            {
                "doctor_id": appt["doctor_id"],
                "starts_at": new_start,
                "mrn": mrn,
                "appointment_id": str(appointment_id),
            }
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "slot already taken")
        raise
    updated = appointments.update(
        _key(mrn, appointment_id),
        {"starts_at": new_start, "rescheduled_by": user.sub},
        condition="#s IN (:requested, :confirmed)",
        names={"#s": "status"},
        values={":requested": "requested", ":confirmed": "confirmed"},
    )
    slots.delete(
        {"doctor_id": appt["doctor_id"], "starts_at": appt["starts_at"]},
        condition="appointment_id = :a",
        values={":a": str(appointment_id)},
    )
    return updated
