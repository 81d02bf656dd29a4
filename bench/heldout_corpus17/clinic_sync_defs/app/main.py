import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from typing import List, Optional
from uuid import UUID

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse

from . import crud, schemas
from .database import get_db, get_notes_db, get_sessions_db, get_users_db
from .deps import get_current_user, require_doctor

log = logging.getLogger("clinic")

app = FastAPI(title="Clinic booking API", version="1.4.2")


@app.exception_handler(ClientError)
def dynamodb_error_handler(request, exc: ClientError):
    log.warning("dynamodb error on %s: %s", request.url.path, exc)
    return JSONResponse(status_code=500, content={"error": exc.response["Error"]})


def _check_password(password: str, user: dict) -> bool:
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(user["salt"]), 200_000
    ).hex()
    return hmac.compare_digest(digest, user["password_hash"])


@app.post("/auth/login", response_model=schemas.SessionOut)
def login(body: schemas.LoginIn, users=Depends(get_users_db), sessions=Depends(get_sessions_db)):
    user = crud.get_user_by_email(users, body.email)
    if user is None or not _check_password(body.password, user):
        raise HTTPException(status_code=401, detail="Wrong e-mail or password")
    token = secrets.token_urlsafe(32)
    expires_at = crud.create_session(sessions, user["user_id"], token)
    return {"token": token, "expires_at": expires_at}


@app.get("/me", response_model=schemas.UserOut)
def read_me(user: Optional[dict] = Depends(get_current_user)):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    return user


@app.patch("/me", response_model=schemas.UserOut)
def update_me(
    body: schemas.ProfileUpdate,
    user: Optional[dict] = Depends(get_current_user),
    users=Depends(get_users_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    changes = body.dict(exclude_unset=True)
    if not changes:
        return user
    return crud.update_user(users, user["user_id"], **changes)


@app.get("/doctors", response_model=List[schemas.DoctorOut])
async def list_doctors(users=Depends(get_users_db)):
    resp = users.scan(
        FilterExpression="#r = :doctor",
        ExpressionAttributeNames={"#r": "role"},
        ExpressionAttributeValues={":doctor": "doctor"},
    )
    return resp.get("Items", [])


@app.get("/doctors/{doctor_id}/slots", response_model=List[str])
def doctor_slots(
    doctor_id: str,
    day: str = Query(..., regex=r"^\d{4}-\d{2}-\d{2}$"),
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    taken = crud.doctor_day(table, doctor_id, day)
    return sorted(a["slot"] for a in taken)


@app.post("/appointments", response_model=schemas.AppointmentOut, status_code=201)
def book_appointment(
    body: schemas.AppointmentCreate,
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
    users=Depends(get_users_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    if user.get("role") != "patient":
        raise HTTPException(status_code=403, detail="Only patients book appointments")
    doctor = crud.get_user(users, body.doctor_id)
    if doctor is None or doctor.get("role") != "doctor":
        raise HTTPException(status_code=404, detail="Doctor not found")
    if crud.slot_taken(table, body.doctor_id, body.slot):
        raise HTTPException(status_code=409, detail="Slot already booked")
    item = {
        "appointment_id": str(uuid.uuid4()),
        "doctor_id": body.doctor_id,
        "patient_id": user["user_id"],
        "slot": body.slot,
        "reason": body.reason,
        "status": "booked",
        "created_at": int(time.time()),
    }
    return crud.create_appointment(table, item)


@app.get("/appointments", response_model=schemas.AppointmentPage)
def my_appointments(
    next_token: Optional[str] = Query(None, max_length=512),
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    start = json.loads(base64.urlsafe_b64decode(next_token)) if next_token else None
    if user.get("role") == "doctor":
        items, last = crud.list_for_doctor(table, user["user_id"], start)
    else:
        items, last = crud.list_for_patient(table, user["user_id"], start)
    token = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
    return {"items": items, "next_token": token}


@app.get("/appointments/{appointment_id}")
def get_appointment(
    appointment_id: str,
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    appointment = crud.get_appointment(table, appointment_id)
    if appointment is None:
        raise HTTPException(status_code=404, detail="Appointment not found")
    return appointment


@app.patch("/appointments/{appointment_id}/reschedule", response_model=schemas.AppointmentOut)
def reschedule(
    appointment_id: UUID,
    body: schemas.Reschedule,
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    appointment = crud.get_appointment(table, str(appointment_id))
    if appointment is None:
        raise HTTPException(status_code=404, detail="Appointment not found")
    if appointment["patient_id"] != user["user_id"]:
        raise HTTPException(status_code=403, detail="Not your appointment")
    if appointment["status"] != "booked":
        raise HTTPException(status_code=409, detail="Only booked appointments can move")
    if crud.slot_taken(table, appointment["doctor_id"], body.slot):
        raise HTTPException(status_code=409, detail="Slot already booked")
    return crud.update_appointment(table, str(appointment_id), slot=body.slot)


@app.post("/appointments/{appointment_id}/cancel", response_model=schemas.AppointmentOut)
def cancel(
    appointment_id: UUID,
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    try:
        return crud.cancel_appointment(table, str(appointment_id), user["user_id"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Appointment cannot be cancelled")
        raise


@app.post("/appointments/{appointment_id}/complete", response_model=schemas.AppointmentOut)
def complete(
    appointment_id: UUID,
    body: schemas.CompleteIn,
    doctor: dict = Depends(require_doctor),
    table=Depends(get_db),
    users=Depends(get_users_db),
):
    appointment = crud.get_appointment(table, str(appointment_id))
    if appointment is None or appointment["doctor_id"] != doctor["user_id"]:
        raise HTTPException(status_code=404, detail="Appointment not found")
    if appointment["status"] != "booked":
        raise HTTPException(status_code=409, detail="Appointment is not open")
    updated = crud.update_appointment(
        table, str(appointment_id), status="completed", summary=body.summary
    )
    crud.bump_doctor_stats(users, doctor["user_id"])
    return updated


@app.get("/appointments/{appointment_id}/notes", response_model=List[schemas.NoteOut])
def read_notes(
    appointment_id: UUID,
    doctor: dict = Depends(require_doctor),
    table=Depends(get_db),
    notes=Depends(get_notes_db),
):
    appointment = crud.get_appointment(table, str(appointment_id))
    if appointment is None or appointment["doctor_id"] != doctor["user_id"]:
        raise HTTPException(status_code=404, detail="Appointment not found")
    return crud.list_notes(notes, str(appointment_id))


@app.post("/appointments/{appointment_id}/notes", response_model=schemas.NoteOut, status_code=201)
def add_note(
    appointment_id: UUID,
    body: schemas.NoteIn,
    doctor: dict = Depends(require_doctor),
    table=Depends(get_db),
    notes=Depends(get_notes_db),
):
    appointment = crud.get_appointment(table, str(appointment_id))
    if appointment is None or appointment["doctor_id"] != doctor["user_id"]:
        raise HTTPException(status_code=404, detail="Appointment not found")
    return crud.add_note(notes, body.appointment_id, doctor["user_id"], body.text)


@app.delete("/appointments/{appointment_id}", status_code=204)
def delete_appointment(
    appointment_id: UUID,
    user: Optional[dict] = Depends(get_current_user),
    table=Depends(get_db),
):
    # front desk clean-up of duplicate bookings
    crud.delete_appointment(table, str(appointment_id))
    return Response(status_code=204)


@app.get("/healthz")
async def healthz():
    return {"ok": True}
