"""Read-only share links for people outside the wiki."""
import secrets
import time

from fastapi import APIRouter, Path

from .db import pages, shares
from .errors import NotFound
from .schemas import PageOut, ShareIn

router = APIRouter(tags=["shares"])


@router.post("/shares/", status_code=201)
def create_share(body: ShareIn):
    page = pages.get_item(Key={"space_slug": body.space_slug, "page_slug": body.page_slug}).get("Item")
    if page is None:
        raise NotFound("page not found")
    token = secrets.token_urlsafe(24)
    shares.put_item(
        Item={
            "token": token,
            "space_slug": body.space_slug,
            "page_slug": body.page_slug,
            "expires_at": int(time.time()) + body.expires_in_days * 86400,
        }
    )
    return {"token": token, "url": f"/s/{token}"}


@router.get("/s/{token}", response_model=PageOut)
def open_share(token: str = Path(min_length=20, max_length=64)):
    share = shares.get_item(Key={"token": token}).get("Item")
    if share is None or share["expires_at"] < time.time():
        raise NotFound("link expired")
    page = pages.get_item(Key={"space_slug": share["space_slug"], "page_slug": share["page_slug"]}).get("Item")
    if page is None:
        raise NotFound("link expired")
    return page
