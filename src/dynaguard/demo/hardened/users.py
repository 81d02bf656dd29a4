"""/users/me routes of the hardened app."""

from __future__ import annotations

from fastapi import APIRouter, Response

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.hardened.db import Db
from dynaguard.demo.hardened.models import ProfileOut, ProfileReplace, ProfileUpdate
from dynaguard.demo.hardened.web import IfMatch, with_etag
from dynaguard.guard.types import Item

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=ProfileOut)
async def read_profile(user: CurrentUser, db: Db, response: Response) -> Item:
    """The caller's profile: public fields only (response model), version as ETag."""
    return with_etag(response, await db.users.get({"username": user}, owner=user))


@router.put("/me", response_model=ProfileOut)
async def replace_profile(
    body: ProfileReplace, user: CurrentUser, db: Db, version: IfMatch, response: Response
) -> Item:
    """Replace the editable profile; If-Match required, 412 when stale."""
    item = await db.users.update(
        {"username": user}, body.model_dump(), owner=user, expected_version=version
    )
    return with_etag(response, item)


@router.patch("/me", response_model=ProfileOut)
async def update_profile(
    body: ProfileUpdate, user: CurrentUser, db: Db, version: IfMatch, response: Response
) -> Item:
    """Change some profile fields; `role` is not in the model (422), If-Match required."""
    changes = body.model_dump(exclude_none=True)
    item = await db.users.update({"username": user}, changes, owner=user, expected_version=version)
    return with_etag(response, item)
