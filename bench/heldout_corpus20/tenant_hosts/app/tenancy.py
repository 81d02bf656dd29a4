import hashlib
import re
from dataclasses import dataclass

from fastapi import Depends, Header, HTTPException, Request

from .db import Settings, get_settings, get_table, pk

SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")


@dataclass(frozen=True)
class Member:
    tenant: str
    user_id: str
    role: str


def get_tenant(request: Request, settings: Settings = Depends(get_settings)) -> str:
    host = request.headers.get("host", "").split(":", 1)[0].lower()
    suffix = "." + settings.root_domain
    if not host.endswith(suffix):
        raise HTTPException(status_code=404, detail="Unknown workspace")
    tenant = host[: -len(suffix)]
    if not SUBDOMAIN.match(tenant):
        raise HTTPException(status_code=404, detail="Unknown workspace")
    return tenant


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


async def current_member(
    tenant: str = Depends(get_tenant),
    x_api_key: str = Header(..., alias="X-API-Key"),
    table=Depends(get_table),
) -> Member:
    resp = await table.get_item(Key={"PK": pk(tenant), "SK": f"APIKEY#{hash_key(x_api_key)}"})
    item = resp.get("Item")
    if item is None or item.get("revoked"):
        raise HTTPException(status_code=401, detail="Invalid API key")
    return Member(tenant=tenant, user_id=item["user_id"], role=item.get("role", "member"))


async def require_admin(member: Member = Depends(current_member)) -> Member:
    if member.role != "admin":
        raise HTTPException(status_code=403, detail="Workspace admins only")
    return member
