import uuid
from typing import Optional

from .db import NotesRepository, now


class NoteNotFound(Exception):
    pass


class NotAllowed(Exception):
    pass


class NoteService:
    def __init__(self, repo: Optional[NotesRepository] = None) -> None:
        self.repo = repo or NotesRepository()

    async def create(self, owner_id: str, title: str, body: str, tags: list[str]) -> dict:
        note_id = str(uuid.uuid4())
        item = {
            "pk": f"NOTE#{note_id}",
            "sk": "META",
            "gsi1pk": f"OWNER#{owner_id}",
            "gsi1sk": now(),
            "id": note_id,
            "owner_id": owner_id,
            "title": title,
            "body": body,
            "tags": tags,
            "status": "active",
            "created_at": now(),
        }
        await self.repo.put_note(item)
        return item

    async def get_for(self, note_id: str, user_id: str) -> dict:
        note = await self.repo.get_note(note_id)
        if note is None or note["owner_id"] != user_id:
            raise NoteNotFound(note_id)
        return note

    async def edit(self, note_id: str, user_id: str, title: str, body: str) -> dict:
        note = await self.repo.get_note(note_id)
        if note is None:
            raise NoteNotFound(note_id)
        if note["owner_id"] != user_id:
            raise NotAllowed(note_id)
        return await self.repo.update_note(note_id, title, body)

    async def archive(self, note_id: str) -> None:
        await self.repo.set_status(note_id, "archived")

    async def share(self, note_id: str, email: str) -> None:
        await self.repo.add_share(note_id, email)
