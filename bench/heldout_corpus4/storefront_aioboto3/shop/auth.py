"""Sessions are issued by the SSO gateway, which writes them to the sessions table;
the browser holds the opaque id in the `sid` cookie."""
import hashlib
import time
from dataclasses import dataclass

from fastapi import Cookie, Depends, HTTPException

from shop.db import sessions_table


@dataclass
class Seller:
    seller_id: str
    shop: str
    role: str


async def current_seller(sid: str | None = Cookie(default=None), sessions=Depends(sessions_table)) -> Seller:
    if not sid:
        raise HTTPException(401, "not signed in")
    digest = hashlib.sha256(sid.encode()).hexdigest()
    resp = await sessions.get_item(Key={"session_hash": digest})
    session = resp.get("Item")
    if session is None or session["expires_at"] < int(time.time()):
        raise HTTPException(401, "session expired")
    return Seller(seller_id=session["seller_id"], shop=session["shop_slug"], role=session.get("role", "seller"))


async def staff_only(seller: Seller = Depends(current_seller)) -> Seller:
    if seller.role != "staff":
        raise HTTPException(403, "staff only")
    return seller
