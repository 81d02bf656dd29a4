from typing import List, Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, Response

from .. import repository as repo
from ..auth import Principal, current_user
from ..db import is_conditional_failure
from ..schemas import (
    AddressIn,
    AddressLabel,
    AddressOut,
    ProfileIn,
    ProfileOut,
    ProfileUpdate,
)

router = APIRouter(prefix="/me", tags=["me"])


@router.post("/", status_code=201, response_model=ProfileOut)
def create_profile(body: ProfileIn, user: Principal = Depends(current_user)):
    try:
        repo.create_profile(user.sub, user.email, body.display_name, body.marketing_opt_in)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="profile already exists")
        raise
    return repo.get_profile(user.sub)


@router.get("/", response_model=ProfileOut)
async def read_profile(user: Principal = Depends(current_user)):
    profile = repo.get_profile(user.sub)
    if profile is None:
        raise HTTPException(status_code=404, detail="no profile yet")
    return profile


@router.patch("/", response_model=ProfileOut)
def update_profile(body: ProfileUpdate, user: Principal = Depends(current_user)):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(status_code=400, detail="nothing to update")
    try:
        return repo.update_profile(user.sub, changes)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=404, detail="no profile yet")
        raise


@router.get("/addresses/", response_model=List[AddressOut])
def list_addresses(
    user: Principal = Depends(current_user),
    fields: Optional[str] = Query(None, description="comma-separated attributes to return"),
):
    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    rows = repo.list_addresses(user.sub, wanted)
    return [
        AddressOut(label=row.pop("SK").split("#", 1)[1], **row)
        for row in rows
    ]


@router.post("/addresses/", status_code=201)
def add_address(body: AddressIn, user: Principal = Depends(current_user)):
    try:
        repo.add_address(user.sub, body.model_dump())
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=409, detail="an address with this label exists")
        raise
    return {"label": body.label}


@router.delete("/addresses/{label}/", status_code=204)
def delete_address(label: AddressLabel, user: Principal = Depends(current_user)):
    try:
        repo.delete_address(user.sub, label)
    except ClientError as exc:
        if is_conditional_failure(exc):
            raise HTTPException(status_code=404, detail="no such address")
        raise
    return Response(status_code=204)
