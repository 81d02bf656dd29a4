from typing import List, Optional

from pydantic import BaseModel, EmailStr, Field


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(..., min_length=8, max_length=128)


class SessionOut(BaseModel):
    token: str
    expires_at: int


class UserOut(BaseModel):
    user_id: str
    email: str
    full_name: str
    role: str
    phone: Optional[str] = None

    class Config:
        orm_mode = True


class ProfileUpdate(BaseModel):
    full_name: Optional[str] = Field(None, max_length=120)
    phone: Optional[str] = Field(None, max_length=32)
    role: Optional[str] = None


class DoctorOut(BaseModel):
    user_id: str
    full_name: str
    speciality: Optional[str] = None

    class Config:
        orm_mode = True


class AppointmentCreate(BaseModel):
    doctor_id: str = Field(..., max_length=64)
    slot: str = Field(..., regex=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
    reason: str = Field("", max_length=500)


class AppointmentOut(BaseModel):
    appointment_id: str
    doctor_id: str
    patient_id: str
    slot: str
    status: str
    reason: str = ""

    class Config:
        orm_mode = True


class AppointmentPage(BaseModel):
    items: List[AppointmentOut]
    next_token: Optional[str] = None


class Reschedule(BaseModel):
    slot: str = Field(..., regex=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


class CompleteIn(BaseModel):
    summary: str = Field(..., max_length=4000)


class NoteIn(BaseModel):
    appointment_id: str
    text: str = Field(..., max_length=4000)


class NoteOut(BaseModel):
    note_id: str
    author_id: str
    text: str
    created_at: int

    class Config:
        orm_mode = True
