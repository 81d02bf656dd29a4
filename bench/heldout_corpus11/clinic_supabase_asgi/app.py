"""Clinic scheduling API: Supabase auth, one boto3 resource, nested routers."""
from __future__ import annotations

import csv
import io
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

import boto3
import jwt
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

SUPABASE_JWT_SECRET = os.environ["SUPABASE_JWT_SECRET"]
ddb = boto3.resource("dynamodb", region_name=os.getenv("AWS_REGION", "eu-west-1"))
patients_table = ddb.Table(os.getenv("PATIENTS_TABLE", "clinic-patients"))
notes_table = ddb.Table(os.getenv("NOTES_TABLE", "clinic-notes"))
appointments_table = ddb.Table(os.getenv("APPOINTMENTS_TABLE", "clinic-appointments"))
limits_table = ddb.Table(os.getenv("LIMITS_TABLE", "clinic-rate-limits"))

ID_RE = r"^[A-Za-z0-9_-]{6,40}$"


class TenantMiddleware:
    """Pure ASGI middleware: decodes the Supabase token, puts the clinic on scope state."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            state = scope.setdefault("state", {})
            state["tenant"] = None
            state["claims"] = None
            headers = dict(scope.get("headers") or [])
            raw = headers.get(b"authorization", b"").decode("latin-1")
            if raw.lower().startswith("bearer "):
                try:
                    claims = jwt.decode(
                        raw[7:],
                        SUPABASE_JWT_SECRET,
                        algorithms=["HS256"],
                        audience="authenticated",
                        options={"require": ["exp", "sub", "aud", "app_metadata"]},
                    )
                except jwt.PyJWTError:
                    claims = None
                if claims:
                    state["claims"] = claims
                    state["tenant"] = claims["app_metadata"].get("clinic_id")
        await self.app(scope, receive, send)


@dataclass(slots=True)
class Staff:
    user_id: str
    email: str
    clinic_id: str
    role: str


def current_staff(request: Request) -> Staff:
    claims = request.state.claims
    if not claims or not request.state.tenant:
        raise HTTPException(401, "not signed in", headers={"WWW-Authenticate": "Bearer"})
    return Staff(
        user_id=claims["sub"],
        email=claims.get("email", ""),
        clinic_id=request.state.tenant,
        role=claims["app_metadata"].get("role", "staff"),
    )


class RateLimiter:
    def __init__(self, times: int, seconds: int):
        self.times = times
        self.seconds = seconds

    def __call__(self, request: Request) -> None:
        window = int(time.time()) // self.seconds
        client = request.client.host if request.client else "unknown"
        out = limits_table.update_item(
            Key={"bucket": f"{client}#{request.url.path}#{window}"},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :exp)",
            ExpressionAttributeValues={":one": 1, ":exp": (window + 2) * self.seconds},
            ReturnValues="UPDATED_NEW",
        )
        if out["Attributes"]["hits"] > self.times:
            raise HTTPException(429, "slow down")


@dataclass(slots=True)
class Patient:
    clinic_id: str
    patient_id: str
    full_name: str
    birth_date: str
    created_by: str
    active: bool = True
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Patient":
        return cls(
            clinic_id=item["clinic_id"], patient_id=item["patient_id"],
            full_name=item["full_name"], birth_date=item["birth_date"],
            created_by=item["created_by"], active=item.get("active", True),
            tags=list(item.get("tags", [])),
        )


@dataclass(slots=True)
class Note:
    pk: str
    note_id: str
    author_id: str
    body: str
    written_at: int

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Note":
        return cls(item["pk"], item["note_id"], item["author_id"], item["body"], int(item["written_at"]))


class PatientsRepo:
    def get(self, clinic_id: str, patient_id: str) -> Patient | None:
        item = patients_table.get_item(Key={"clinic_id": clinic_id, "patient_id": patient_id}).get("Item")
        return Patient.from_item(item) if item else None

    def create(self, patient: Patient) -> None:
        patients_table.put_item(Item=asdict(patient), ConditionExpression=Attr("patient_id").not_exists())

    def list_for(self, clinic_id: str) -> list[Patient]:
        resp = patients_table.query(KeyConditionExpression=Key("clinic_id").eq(clinic_id))
        return [Patient.from_item(i) for i in resp["Items"]]


patients_repo = PatientsRepo()


class PatientOut(BaseModel):
    patient_id: str
    full_name: str
    birth_date: str
    active: bool
    tags: list[str]


class PatientIn(BaseModel):
    full_name: str = Field(min_length=1, max_length=120)
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    tags: list[str] = []


class PatientPatch(BaseModel):
    full_name: str | None = None
    tags: list[str] | None = None
    active: bool | None = None
    created_by: str | None = None


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class CalendarHook(BaseModel):
    appointment_id: uuid.UUID
    starts_at: int


def same_clinic(clinic_id: str, staff: Staff) -> None:
    if clinic_id != staff.clinic_id:
        raise HTTPException(404, "clinic not found")


app = FastAPI(title="clinic")
app.add_middleware(TenantMiddleware)


@app.exception_handler(ValidationError)
async def validation_failed(request: Request, exc: ValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": exc.errors(include_url=False)})


clinics = APIRouter(prefix="/clinics/{clinic_id}", dependencies=[Depends(RateLimiter(times=60, seconds=60))])
patients = APIRouter(prefix="/patients")
notes = APIRouter(prefix="/{patient_id}/notes")
appointments = APIRouter(prefix="/appointments")


@app.get("/me")
def me(staff: Staff = Depends(current_staff)) -> dict[str, str]:
    return {"user_id": staff.user_id, "email": staff.email, "clinic_id": staff.clinic_id}


@patients.get("", response_model=list[PatientOut])
def list_patients(clinic_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)
    return [asdict(p) for p in patients_repo.list_for(clinic_id)]


@patients.post("", response_model=PatientOut, status_code=201)
def create_patient(body: PatientIn, clinic_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)
    patient = Patient(clinic_id, uuid.uuid4().hex, body.full_name, body.birth_date, staff.user_id, tags=body.tags)
    try:
        patients_repo.create(patient)
    except ClientError as exc:
        raise HTTPException(502, detail=exc.response["Error"]["Message"])
    return asdict(patient)


@patients.get("/export.csv")
def export_patients(clinic_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["patient_id", "full_name", "birth_date"])
        kwargs: dict[str, Any] = {"FilterExpression": Attr("active").eq(True)}
        while True:
            page = patients_table.scan(**kwargs)
            for item in page["Items"]:
                writer.writerow([item["patient_id"], item["full_name"], item["birth_date"]])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return StreamingResponse(rows(), media_type="text/csv")


@patients.head("/{patient_id}")
def patient_exists(
    clinic_id: str = Path(..., regex=ID_RE),
    patient_id: str = Path(..., regex=ID_RE),
    staff: Staff = Depends(current_staff),
) -> Response:
    found = patients_table.get_item(
        Key={"clinic_id": clinic_id, "patient_id": patient_id}, ProjectionExpression="patient_id"
    ).get("Item")
    return Response(status_code=200 if found else 404)


@patients.get("/{patient_id}", response_model=PatientOut)
def get_patient(clinic_id: str = Path(..., regex=ID_RE), patient_id: str = Path(..., regex=ID_RE),
                staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)
    patient = patients_repo.get(clinic_id, patient_id)
    if patient is None:
        raise HTTPException(404, "patient not found")
    return asdict(patient)


@patients.patch("/{patient_id}", response_model=PatientOut)
def patch_patient(body: PatientPatch, clinic_id: str = Path(..., regex=ID_RE),
                  patient_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(400, "nothing to change")
    names = {f"#f{i}": k for i, k in enumerate(changes)}
    values = {f":v{i}": v for i, v in enumerate(changes.values())}
    out = patients_table.update_item(
        Key={"clinic_id": clinic_id, "patient_id": patient_id},
        UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
        ConditionExpression="attribute_exists(patient_id)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return asdict(Patient.from_item(out["Attributes"]))


@notes.post("", status_code=201)
def add_note(body: NoteIn, clinic_id: str = Path(..., regex=ID_RE), patient_id: str = Path(..., regex=ID_RE),
             staff: Staff = Depends(current_staff)) -> dict[str, str]:
    same_clinic(clinic_id, staff)
    note = Note(f"{clinic_id}#{patient_id}", uuid.uuid4().hex, staff.user_id, body.body, int(time.time()))
    notes_table.put_item(Item=asdict(note), ConditionExpression=Attr("note_id").not_exists())
    return {"note_id": note.note_id}


@notes.put("/{note_id}")
def replace_note(body: NoteIn, clinic_id: str = Path(..., regex=ID_RE), patient_id: str = Path(..., regex=ID_RE),
                 note_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)) -> dict[str, str]:
    same_clinic(clinic_id, staff)
    note = Note(f"{clinic_id}#{patient_id}", note_id, staff.user_id, body.body, int(time.time()))
    notes_table.put_item(Item=asdict(note))
    return {"note_id": note_id}


@notes.delete("/{note_id}", status_code=204)
def delete_note(clinic_id: str = Path(..., regex=ID_RE), patient_id: str = Path(..., regex=ID_RE),
                note_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)) -> None:
    same_clinic(clinic_id, staff)
    key = {"pk": f"{clinic_id}#{patient_id}", "note_id": note_id}
    item = notes_table.get_item(Key=key).get("Item")
    if item is None:
        raise HTTPException(404, "note not found")
    if Note.from_item(item).author_id != staff.user_id:
        raise HTTPException(404, "note not found")
    notes_table.delete_item(Key=key)


@appointments.get("/{appointment_id}")
def get_appointment(appointment_id: str, clinic_id: str = Path(..., regex=ID_RE),
                    staff: Staff = Depends(current_staff)) -> dict[str, Any]:
    item = appointments_table.get_item(Key={"appointment_id": appointment_id}).get("Item")
    if item is None:
        raise HTTPException(404, "appointment not found")
    if item["clinic_id"] != staff.clinic_id or clinic_id != staff.clinic_id:
        raise HTTPException(403, "not your clinic")
    return {"appointment_id": appointment_id, "status": item["status"], "starts_at": int(item["starts_at"])}


@appointments.post("/{appointment_id}/check-in")
def check_in(appointment_id: uuid.UUID, clinic_id: str = Path(..., regex=ID_RE),
             staff: Staff = Depends(current_staff)) -> dict[str, str]:
    same_clinic(clinic_id, staff)
    try:
        appointments_table.update_item(
            Key={"appointment_id": str(appointment_id)},
            UpdateExpression="SET #s = :in, checked_in_by = :me",
            ConditionExpression="#s = :booked AND clinic_id = :clinic",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":in": "checked_in", ":booked": "booked", ":me": staff.user_id,
                                       ":clinic": clinic_id},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "appointment is not booked") from None
        raise
    return {"status": "checked_in"}


@appointments.post("/{appointment_id}/cancel")
def cancel_appointment(appointment_id: uuid.UUID, clinic_id: str = Path(..., regex=ID_RE),
                       staff: Staff = Depends(current_staff)) -> dict[str, str]:
    same_clinic(clinic_id, staff)
    appointments_table.update_item(
        Key={"appointment_id": str(appointment_id)},
        UpdateExpression="SET #s = :cancelled, cancelled_by = :me",
        ConditionExpression=Attr("clinic_id").eq(clinic_id),
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": "cancelled", ":me": staff.user_id},
    )
    return {"status": "cancelled"}


@clinics.get("/stats")
async def clinic_stats(clinic_id: str = Path(..., regex=ID_RE), staff: Staff = Depends(current_staff)):
    same_clinic(clinic_id, staff)
    resp = patients_table.query(KeyConditionExpression=Key("clinic_id").eq(clinic_id), Select="COUNT")
    return {"patients": resp["Count"]}


@app.post("/webhooks/calendar", status_code=204)
def calendar_hook(hook: CalendarHook) -> None:
    appointments_table.update_item(
        Key={"appointment_id": str(hook.appointment_id)},
        UpdateExpression="SET starts_at = :t",
        ConditionExpression="attribute_exists(appointment_id)",
        ExpressionAttributeValues={":t": hook.starts_at},
    )


patients.include_router(notes)
clinics.include_router(patients)
clinics.include_router(appointments)
app.include_router(clinics)
