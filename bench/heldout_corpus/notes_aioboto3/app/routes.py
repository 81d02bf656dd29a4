from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, EmailStr, Field

from .auth import CurrentUser, get_current_user, require_admin
from .db import NotesRepository
from .service import NotAllowed, NoteNotFound, NoteService

router = APIRouter(prefix="/notes", tags=["notes"])
users_router = APIRouter(prefix="/users", tags=["users"])
service = NoteService()
repo = NotesRepository()


class NoteIn(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20000)
    tags: list[str] = []


class NoteOut(BaseModel):
    id: str
    title: str
    body: str
    tags: list[str] = []
    status: str
    created_at: str


class ShareIn(BaseModel):
    email: EmailStr


class ProfileIn(BaseModel):
    display_name: str = Field(max_length=80)
    bio: str = Field(default="", max_length=500)


class ProfileOut(BaseModel):
    email: str
    display_name: str
    bio: str = ""
    role: str


@router.get("/", response_model=list[NoteOut])
async def list_notes(user: CurrentUser = Depends(get_current_user)):
    return await repo.list_notes(user.email)


@router.post("/", response_model=NoteOut, status_code=201)
async def create_note(body: NoteIn, user: CurrentUser = Depends(get_current_user)):
    return await service.create(user.email, body.title, body.body, body.tags)


@router.get("/{note_id}")
async def get_note(note_id: str, user: CurrentUser = Depends(get_current_user)):
    note = await repo.get_note(note_id)
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@router.put("/{note_id}", response_model=NoteOut)
async def edit_note(note_id: UUID, body: NoteIn, user: CurrentUser = Depends(get_current_user)):
    try:
        return await service.edit(str(note_id), user.email, body.title, body.body)
    except NoteNotFound:
        raise HTTPException(status_code=404, detail="Note not found")
    except NotAllowed:
        raise HTTPException(status_code=403, detail="Not your note")


@router.post("/{note_id}/archive", status_code=204)
async def archive_note(note_id: str, user: CurrentUser = Depends(get_current_user)):
    await service.archive(note_id)


@router.post("/{note_id}/share", status_code=204)
async def share_note(note_id: UUID, body: ShareIn):
    await service.share(str(note_id), body.email)


@router.delete("/{note_id}", status_code=204)
async def delete_note(note_id: UUID, user: CurrentUser = Depends(get_current_user)):
    await repo.delete_note(str(note_id), user.email)


@users_router.get("/me", response_model=ProfileOut)
async def me(user: CurrentUser = Depends(get_current_user)):
    profile = await repo.get_user(user.email)
    if profile is None:
        raise HTTPException(status_code=404, detail="Profile not found")
    return profile


@users_router.patch("/me", response_model=ProfileOut)
async def update_me(body: ProfileIn, user: CurrentUser = Depends(get_current_user)):
    return await repo.update_profile(user.email, body.display_name, body.bio)


@users_router.get("/", response_model=list[ProfileOut])
async def list_users(admin: CurrentUser = Depends(require_admin)):
    return await repo.all_users()
