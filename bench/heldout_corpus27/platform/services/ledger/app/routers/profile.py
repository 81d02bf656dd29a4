from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException

from libs.common.auth import Principal, current_principal
from libs.common.dynamo import now_iso

from .. import service
from ..schemas import ProfileIn, ProfileOut

router = APIRouter(prefix="/v1/profile", tags=["profile"])


@router.get("", response_model=ProfileOut)
def read_profile(who: Principal = Depends(current_principal)):
    item = service.profiles.get_item(Key={"email": who.email}).get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="no profile yet")
    return item


@router.put("", response_model=ProfileOut)
def save_profile(body: ProfileIn, who: Principal = Depends(current_principal)):
    item = {**body.model_dump(), "email": who.email, "updated_at": now_iso()}
    service.profiles.put_item(Item=item)
    return item
