from datetime import date, datetime
from typing import List, Optional
from uuid import UUID

from pydantic import BaseModel, constr

MRN_RE = r"^MRN\d{8}$"
SUB_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

Mrn = constr(regex=MRN_RE)
CognitoSub = constr(regex=SUB_RE)


class PatientCreate(BaseModel):
    mrn: Mrn
    given_name: constr(min_length=1, max_length=80)
    family_name: constr(min_length=1, max_length=80)
    date_of_birth: date
    phone: Optional[constr(max_length=20)] = None
    email: Optional[constr(max_length=254)] = None
    primary_doctor: Optional[CognitoSub] = None


class PatientUpdate(BaseModel):
    given_name: Optional[constr(min_length=1, max_length=80)]
    family_name: Optional[constr(min_length=1, max_length=80)]
    phone: Optional[constr(max_length=20)]
    email: Optional[constr(max_length=254)]
    primary_doctor: Optional[CognitoSub]


class PatientSelfUpdate(BaseModel):
    phone: Optional[constr(max_length=20)]
    email: Optional[constr(max_length=254)]
    address: Optional[constr(max_length=300)]
    primary_doctor: Optional[CognitoSub]


class PatientOut(BaseModel):
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    phone: Optional[str]
    email: Optional[str]
    primary_doctor: Optional[str]

    class Config:
        orm_mode = True


class TransferRequest(BaseModel):
    doctor_id: CognitoSub


class AppointmentRequest(BaseModel):
    doctor_id: CognitoSub
    starts_at: datetime
    reason: constr(max_length=500) = ""
    status: str = "requested"


class RescheduleRequest(BaseModel):
    starts_at: datetime


class CompleteRequest(BaseModel):
    summary: constr(max_length=4000)


class AppointmentOut(BaseModel):
    mrn: str
    appointment_id: UUID
    doctor_id: str
    starts_at: datetime
    reason: str = ""
    status: str

    class Config:
        orm_mode = True


class NoteCreate(BaseModel):
    body: constr(min_length=1, max_length=20000)
    visibility: constr(regex=r"^(care_team|patient)$") = "care_team"


class NoteOut(BaseModel):
    mrn: str
    note_id: str
    author: str
    body: str
    created_at: datetime

    class Config:
        orm_mode = True


class PatientExport(BaseModel):
    patient: PatientOut
    appointments: List[AppointmentOut]
    notes: List[NoteOut]


class SmsStatus(BaseModel):
    message_id: constr(max_length=64)
    mrn: Mrn
    appointment_id: UUID
    delivered: bool
